#pragma once
// Loads Redis RDB files (versions 1 to 11): every value encoding redis-server 7.0 writes
// (listpack hashes and sorted sets, intset sets, quicklist 2 lists, plain tables, integer and
// LZF-compressed strings) and the older ones (ziplist, zipmap, quicklist of ziplists, sorted
// sets with string scores). Streams and module values are refused with an error; function
// libraries are skipped. Pure code over an RdbInput: no Asio, no clock.
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "server/persistence/rdb_format.hpp"
#include "server/store/keyspace.hpp"

namespace vigil::server {

struct RdbLoadOptions {
    std::int64_t now_ms = 0;   // keys whose expiry is before this are skipped...
    bool skip_expired = true;  // ...unless this is false (a replica keeps them)
    bool verify_checksum = true;
};

struct RdbLoadResult {
    bool ok = false;
    std::string error;  // why loading failed
    int version = 0;
    std::uint64_t keys_loaded = 0;
    std::uint64_t keys_expired = 0;  // skipped because already expired
    std::uint64_t empty_keys_skipped = 0;
    std::uint64_t functions_skipped = 0;  // function libraries (we have no scripting)
    std::vector<std::pair<std::string, std::string>> aux;
};

// Loads an RDB stream into `into`. On failure `into` may hold part of the data: load into a
// fresh Keyspace and swap it in on success (see Persistence), so a failed load changes nothing.
RdbLoadResult load_rdb(RdbInput& in, Keyspace& into, const RdbLoadOptions& options);

// Decodes one value payload of RDB type `type` (as DUMP/RESTORE carry it). False on error.
bool load_rdb_value(RdbInput& in, std::uint8_t type, Object& out, std::string& error);

}  // namespace vigil::server
