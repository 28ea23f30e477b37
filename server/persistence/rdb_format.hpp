#pragma once
// Constants of Redis's RDB format (version 10, as redis-server 7.0 writes it) and the byte
// sources and sinks the RDB writer and loader work over. No Asio: the same code writes files,
// and can later feed a replication full sync.
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace vigil::server::rdb {

inline constexpr int kVersion = 10;         // what we write ("REDIS0010")
inline constexpr int kMaxLoadVersion = 11;  // what we read (11 = Redis 7.2, same encodings + 20)

// Value types (the byte before each key).
enum Type : std::uint8_t {
    kTypeString = 0,
    kTypeList = 1,
    kTypeSet = 2,
    kTypeZset = 3,
    kTypeHash = 4,
    kTypeZset2 = 5,  // scores as binary doubles
    kTypeModule = 6,
    kTypeModule2 = 7,
    kTypeHashZipmap = 9,
    kTypeListZiplist = 10,
    kTypeSetIntset = 11,
    kTypeZsetZiplist = 12,
    kTypeHashZiplist = 13,
    kTypeListQuicklist = 14,
    kTypeStreamListpacks = 15,
    kTypeHashListpack = 16,
    kTypeZsetListpack = 17,
    kTypeListQuicklist2 = 18,
    kTypeStreamListpacks2 = 19,
    kTypeSetListpack = 20,
    kTypeStreamListpacks3 = 21,
};

// Opcodes (bytes that are not value types).
enum Opcode : std::uint8_t {
    kOpFunction2 = 245,
    kOpFunction = 246,
    kOpModuleAux = 247,
    kOpIdle = 248,
    kOpFreq = 249,
    kOpAux = 250,
    kOpResizeDb = 251,
    kOpExpireTimeMs = 252,
    kOpExpireTime = 253,
    kOpSelectDb = 254,
    kOpEof = 255,
};

// Length encoding: the top two bits of the first byte.
inline constexpr std::uint8_t kLen6Bit = 0;
inline constexpr std::uint8_t kLen14Bit = 1;
inline constexpr std::uint8_t kLen32Bit = 0x80;
inline constexpr std::uint8_t kLen64Bit = 0x81;
inline constexpr std::uint8_t kLenEncoded = 3;  // 11xxxxxx: a special string encoding follows
inline constexpr std::uint8_t kEncInt8 = 0;
inline constexpr std::uint8_t kEncInt16 = 1;
inline constexpr std::uint8_t kEncInt32 = 2;
inline constexpr std::uint8_t kEncLzf = 3;

// Quicklist 2 node containers.
inline constexpr std::uint64_t kQuicklistNodePlain = 1;
inline constexpr std::uint64_t kQuicklistNodePacked = 2;

}  // namespace vigil::server::rdb

namespace vigil::server {

// Where RDB bytes go. write() returns false on an I/O error.
class RdbOutput {
public:
    virtual ~RdbOutput() = default;
    virtual bool write(std::string_view bytes) = 0;
};

class StringRdbOutput final : public RdbOutput {
public:
    bool write(std::string_view bytes) override {
        data.append(bytes);
        return true;
    }
    std::string data;
};

// Writes to a file descriptor (which the caller owns), retrying short writes.
class FdRdbOutput final : public RdbOutput {
public:
    explicit FdRdbOutput(int fd) : fd_(fd) {}
    bool write(std::string_view bytes) override;

private:
    int fd_;
};

// Where RDB bytes come from. read() fills exactly n bytes or returns false (end of input or
// an I/O error).
class RdbInput {
public:
    virtual ~RdbInput() = default;
    virtual bool read(char* out, std::size_t n) = 0;
    // Bytes consumed so far.
    virtual std::uint64_t position() const = 0;
};

class MemoryRdbInput final : public RdbInput {
public:
    explicit MemoryRdbInput(std::string_view data) : data_(data) {}
    bool read(char* out, std::size_t n) override;
    std::uint64_t position() const override { return pos_; }

private:
    std::string_view data_;
    std::size_t pos_ = 0;
};

// Buffered reads from a file descriptor (which the caller owns).
class FdRdbInput final : public RdbInput {
public:
    explicit FdRdbInput(int fd) : fd_(fd) {}
    bool read(char* out, std::size_t n) override;
    std::uint64_t position() const override { return consumed_; }

private:
    int fd_;
    std::string buf_;
    std::size_t buf_pos_ = 0;
    std::uint64_t consumed_ = 0;
};

}  // namespace vigil::server
