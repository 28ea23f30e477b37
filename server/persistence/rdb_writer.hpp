#pragma once
// Writes a keyspace in Redis's RDB format, version 10, as redis-server 7.0 does: aux fields,
// SELECTDB + RESIZEDB per non-empty database, EXPIRETIME_MS before keys with an expiry, values
// in the encodings Redis 7.0 uses (listpack hashes and sorted sets while small, intset sets,
// quicklist 2 lists of listpacks, plain tables otherwise), EOF and the CRC-64 checksum.
// Pure code over an RdbOutput: no Asio, no clock (the caller passes the time).
#include <cstdint>
#include <string>
#include <string_view>

#include "server/persistence/rdb_format.hpp"
#include "server/store/keyspace.hpp"

namespace vigil::server {

struct RdbSaveOptions {
    bool compression = true;     // rdbcompression: LZF for strings longer than 20 bytes
    bool checksum = true;        // rdbchecksum: write the CRC-64 (else 0)
    std::int64_t now_ms = 0;     // for the ctime aux field
    std::uint64_t used_mem = 0;  // for the used-mem aux field
    bool aof_base = false;       // aof-base aux field: this RDB is an AOF base file
    // Replication info (repl-stream-db, repl-id, repl-offset aux fields), written when repl_id
    // is set: a replica restarted from this file continues with a partial resync.
    std::string repl_id;
    std::int64_t repl_offset = 0;
    int repl_stream_db = 0;
};

class RdbWriter {
public:
    RdbWriter(RdbOutput& out, const RdbSaveOptions& options) : out_(out), options_(options) {}

    // "REDIS0010" and the aux fields.
    bool header();
    // SELECTDB and RESIZEDB.
    bool select_db(int index, std::uint64_t keys, std::uint64_t expires);
    // One key: EXPIRETIME_MS when it has an expiry, the type, the key, the value.
    bool key_value(std::string_view key, const Object& value);
    // EOF and the checksum; flushes everything to the output.
    bool finish();

    std::uint64_t bytes_written() const { return written_; }

private:
    bool flush();
    RdbOutput& out_;
    RdbSaveOptions options_;
    std::string buf_;
    std::uint64_t crc_ = 0;
    std::uint64_t written_ = 0;
};

// Writes the whole keyspace.
bool write_rdb(const Keyspace& keyspace, RdbOutput& out, const RdbSaveOptions& options);

// Serialization building blocks (also for DUMP/RESTORE and replication later).
namespace rdb {
void put_length(std::string& out, std::uint64_t len);
void put_string(std::string& out, std::string_view s, bool compress);
void put_double(std::string& out, double v);  // 8 bytes, little-endian binary
// The RDB type byte the value is written with.
std::uint8_t value_type(const Object& value);
// The value's payload (without type byte or key) in that type's encoding.
void put_value(std::string& out, const Object& value, bool compress);
}  // namespace rdb

}  // namespace vigil::server
