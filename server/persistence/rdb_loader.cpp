#include "server/persistence/rdb_loader.hpp"

#include <bit>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <limits>

#include "server/persistence/compact_formats.hpp"
#include "server/persistence/crc64.hpp"
#include "server/persistence/lzf.hpp"

namespace vigil::server {
namespace {

constexpr std::size_t kReadChunk = 1 << 20;
constexpr std::uint64_t kMaxStringLen = 1ULL << 32;

struct LoadError {
    std::string message;
};

class Reader {
public:
    explicit Reader(RdbInput& in) : in_(in) {}

    void read(char* out, std::size_t n) {
        if (!in_.read(out, n)) {
            throw LoadError{"Unexpected EOF reading RDB file"};
        }
        crc_ = crc64(crc_, out, n);
    }
    unsigned u8() {
        char c = 0;
        read(&c, 1);
        return static_cast<unsigned char>(c);
    }
    std::uint64_t le(int bytes) {
        unsigned char b[8];
        read(reinterpret_cast<char*>(b), static_cast<std::size_t>(bytes));
        std::uint64_t v = 0;
        for (int i = bytes - 1; i >= 0; --i) {
            v = (v << 8) | b[i];
        }
        return v;
    }
    std::uint64_t be(int bytes) {
        std::uint64_t v = 0;
        for (int i = 0; i < bytes; ++i) {
            v = (v << 8) | u8();
        }
        return v;
    }

    // A length; `encoded` is set when the byte announces a special string encoding instead.
    std::uint64_t length(bool* encoded = nullptr) {
        unsigned b = u8();
        if (encoded != nullptr) {
            *encoded = false;
        }
        switch (b >> 6) {
            case 0:
                return b & 0x3f;
            case 1:
                return ((b & 0x3fU) << 8) | u8();
            case 2:
                if (b == rdb::kLen32Bit) {
                    return be(4);
                }
                if (b == rdb::kLen64Bit) {
                    return be(8);
                }
                throw LoadError{"Unknown length encoding in RDB file"};
            default:
                if (encoded == nullptr) {
                    throw LoadError{"Unexpected string encoding where a length belongs"};
                }
                *encoded = true;
                return b & 0x3f;
        }
    }

    std::string raw(std::uint64_t len) {
        if (len > kMaxStringLen) {
            throw LoadError{"String length out of range in RDB file"};
        }
        // Grow while reading so a corrupt length fails at EOF, not in a huge allocation.
        std::string s;
        std::size_t done = 0;
        while (done < len) {
            std::size_t step = std::min<std::size_t>(kReadChunk, len - done);
            s.resize(done + step);
            read(s.data() + done, step);
            done += step;
        }
        return s;
    }

    std::string string() {
        bool encoded = false;
        std::uint64_t len = length(&encoded);
        if (!encoded) {
            return raw(len);
        }
        switch (len) {
            case rdb::kEncInt8:
                return std::to_string(static_cast<std::int8_t>(le(1)));
            case rdb::kEncInt16:
                return std::to_string(static_cast<std::int16_t>(le(2)));
            case rdb::kEncInt32:
                return std::to_string(static_cast<std::int32_t>(le(4)));
            case rdb::kEncLzf: {
                std::uint64_t clen = length();
                std::uint64_t ulen = length();
                // LZF expands at most ~ 264/2 times per back reference.
                if (ulen > kMaxStringLen || ulen > clen * 140 + 64 || clen == 0) {
                    throw LoadError{"Invalid LZF lengths in RDB file"};
                }
                std::string packed = raw(clen);
                std::string out(static_cast<std::size_t>(ulen), '\0');
                if (!lzf_decompress(packed, out.data(), out.size())) {
                    throw LoadError{"Invalid LZF compressed string in RDB file"};
                }
                return out;
            }
            default:
                throw LoadError{"Unknown RDB string encoding type " + std::to_string(len)};
        }
    }

    double binary_double() { return std::bit_cast<double>(le(8)); }

    // Scores of RDB_TYPE_ZSET (version 1 sorted sets): a length byte, then ASCII.
    double string_double() {
        unsigned len = u8();
        if (len == 253) {
            return std::numeric_limits<double>::quiet_NaN();
        }
        if (len == 254) {
            return std::numeric_limits<double>::infinity();
        }
        if (len == 255) {
            return -std::numeric_limits<double>::infinity();
        }
        char buf[256];
        read(buf, len);
        buf[len] = '\0';
        return std::strtod(buf, nullptr);
    }

    std::uint64_t crc() const { return crc_; }

private:
    RdbInput& in_;
    std::uint64_t crc_ = 0;
};

double parse_score(const std::string& s) {
    char* end = nullptr;
    double v = std::strtod(s.c_str(), &end);
    if (end == s.c_str() || *end != '\0' || std::isnan(v)) {
        throw LoadError{"Invalid sorted set score in RDB file"};
    }
    return v;
}

void add_zset(Object& o, std::string_view member, double score) {
    if (std::isnan(score)) {
        throw LoadError{"Zset with NAN score detected"};
    }
    o.zset().set(member, score);
}

// Decodes a blob with `decode` or fails.
template <class Fn>
std::vector<std::string> decode_blob(const std::string& blob, Fn decode, const char* what) {
    std::vector<std::string> items;
    if (!decode(blob, items)) {
        throw LoadError{std::string("Corrupt ") + what + " in RDB file"};
    }
    return items;
}

void fill_hash(Object& o, const std::vector<std::string>& items) {
    if (items.size() % 2 != 0) {
        throw LoadError{"Odd number of hash entries in RDB file"};
    }
    for (std::size_t i = 0; i < items.size(); i += 2) {
        o.hash().set(items[i], items[i + 1]);
    }
}

void fill_zset(Object& o, const std::vector<std::string>& items) {
    if (items.size() % 2 != 0) {
        throw LoadError{"Odd number of sorted set entries in RDB file"};
    }
    for (std::size_t i = 0; i < items.size(); i += 2) {
        add_zset(o, items[i], parse_score(items[i + 1]));
    }
}

Object load_value(Reader& r, std::uint8_t type) {
    using namespace rdb;
    Object o;
    switch (type) {
        case kTypeString:
            o.value = r.string();
            return o;
        case kTypeList: {
            o = Object::make(ValueType::list);
            for (std::uint64_t n = r.length(); n > 0; --n) {
                o.list().push_back(r.string());
            }
            return o;
        }
        case kTypeListZiplist:
            o = Object::make(ValueType::list);
            for (auto& e : decode_blob(r.string(), ziplist_decode, "ziplist")) {
                o.list().push_back(std::move(e));
            }
            return o;
        case kTypeListQuicklist:
        case kTypeListQuicklist2: {
            o = Object::make(ValueType::list);
            for (std::uint64_t n = r.length(); n > 0; --n) {
                std::uint64_t container = kQuicklistNodePacked;
                if (type == kTypeListQuicklist2) {
                    container = r.length();
                    if (container != kQuicklistNodePlain && container != kQuicklistNodePacked) {
                        throw LoadError{"Unknown quicklist node container in RDB file"};
                    }
                }
                std::string blob = r.string();
                if (container == kQuicklistNodePlain) {
                    o.list().push_back(std::move(blob));
                    continue;
                }
                auto items = type == kTypeListQuicklist
                                 ? decode_blob(blob, ziplist_decode, "ziplist")
                                 : decode_blob(blob, listpack_decode, "listpack");
                for (auto& e : items) {
                    o.list().push_back(std::move(e));
                }
            }
            return o;
        }
        case kTypeSet:
            o = Object::make(ValueType::set);
            for (std::uint64_t n = r.length(); n > 0; --n) {
                o.set().add(r.string());
            }
            return o;
        case kTypeSetIntset: {
            o = Object::make(ValueType::set);
            std::vector<std::int64_t> ints;
            if (!intset_decode(r.string(), ints)) {
                throw LoadError{"Corrupt intset in RDB file"};
            }
            for (std::int64_t v : ints) {
                o.set().add(std::to_string(v));
            }
            return o;
        }
        case kTypeSetListpack:
            o = Object::make(ValueType::set);
            for (const auto& m : decode_blob(r.string(), listpack_decode, "listpack")) {
                o.set().add(m);
            }
            return o;
        case kTypeZset:
        case kTypeZset2: {
            o = Object::make(ValueType::zset);
            for (std::uint64_t n = r.length(); n > 0; --n) {
                std::string member = r.string();
                double score = type == kTypeZset2 ? r.binary_double() : r.string_double();
                add_zset(o, member, score);
            }
            return o;
        }
        case kTypeZsetZiplist:
            o = Object::make(ValueType::zset);
            fill_zset(o, decode_blob(r.string(), ziplist_decode, "ziplist"));
            return o;
        case kTypeZsetListpack:
            o = Object::make(ValueType::zset);
            fill_zset(o, decode_blob(r.string(), listpack_decode, "listpack"));
            return o;
        case kTypeHash: {
            o = Object::make(ValueType::hash);
            for (std::uint64_t n = r.length(); n > 0; --n) {
                std::string field = r.string();
                std::string value = r.string();
                o.hash().set(field, value);
            }
            return o;
        }
        case kTypeHashZipmap:
            o = Object::make(ValueType::hash);
            fill_hash(o, decode_blob(r.string(), zipmap_decode, "zipmap"));
            return o;
        case kTypeHashZiplist:
            o = Object::make(ValueType::hash);
            fill_hash(o, decode_blob(r.string(), ziplist_decode, "ziplist"));
            return o;
        case kTypeHashListpack:
            o = Object::make(ValueType::hash);
            fill_hash(o, decode_blob(r.string(), listpack_decode, "listpack"));
            return o;
        case kTypeModule:
        case kTypeModule2:
            throw LoadError{
                "The RDB file contains module data I can't load: modules are not "
                "supported"};
        case kTypeStreamListpacks:
        case kTypeStreamListpacks2:
        case kTypeStreamListpacks3:
            throw LoadError{"The RDB file contains a stream: streams are not supported"};
        default:
            throw LoadError{"Unknown RDB encoding type " + std::to_string(type)};
    }
}

bool is_empty(const Object& o) {
    switch (o.type()) {
        case ValueType::string:
            return false;
        case ValueType::list:
            return o.list().empty();
        case ValueType::set:
            return o.set().size() == 0;
        case ValueType::zset:
            return o.zset().size() == 0;
        case ValueType::hash:
            return o.hash().size() == 0;
    }
    return false;
}

void load_all(Reader& r, Keyspace& into, const RdbLoadOptions& options, RdbLoadResult& res) {
    char magic[9];
    r.read(magic, 9);
    if (std::memcmp(magic, "REDIS", 5) != 0) {
        throw LoadError{"Wrong signature trying to load DB from file"};
    }
    int version = 0;
    for (int i = 5; i < 9; ++i) {
        if (magic[i] < '0' || magic[i] > '9') {
            throw LoadError{"Wrong signature trying to load DB from file"};
        }
        version = version * 10 + (magic[i] - '0');
    }
    if (version < 1 || version > rdb::kMaxLoadVersion) {
        throw LoadError{"Can't handle RDB format version " + std::to_string(version)};
    }
    res.version = version;

    int db = 0;
    std::int64_t expire_ms = -1;
    for (;;) {
        unsigned type = r.u8();
        switch (type) {
            case rdb::kOpExpireTime:
                expire_ms = static_cast<std::int64_t>(r.le(4)) * 1000;
                continue;
            case rdb::kOpExpireTimeMs:
                expire_ms = static_cast<std::int64_t>(r.le(8));
                continue;
            case rdb::kOpFreq:
                r.u8();
                continue;
            case rdb::kOpIdle:
                r.length();
                continue;
            case rdb::kOpSelectDb: {
                std::uint64_t index = r.length();
                if (index >= static_cast<std::uint64_t>(into.db_count())) {
                    throw LoadError{
                        "FATAL: Data file was created with a Redis server configured "
                        "to handle more than " +
                        std::to_string(into.db_count()) + " databases. Exiting"};
                }
                db = static_cast<int>(index);
                continue;
            }
            case rdb::kOpResizeDb:
                r.length();
                r.length();
                continue;
            case rdb::kOpAux: {
                std::string key = r.string();
                std::string value = r.string();
                res.aux.emplace_back(std::move(key), std::move(value));
                continue;
            }
            case rdb::kOpModuleAux:
                throw LoadError{
                    "The RDB file contains AUX module data I can't load: modules are "
                    "not supported"};
            case rdb::kOpFunction:
                throw LoadError{"Pre-release function format not supported."};
            case rdb::kOpFunction2:
                r.string();  // the library's source code; we have no scripting engine
                ++res.functions_skipped;
                continue;
            case rdb::kOpEof: {
                if (version >= 5) {
                    const std::uint64_t computed = r.crc();
                    const std::uint64_t stored = r.le(8);
                    if (options.verify_checksum && stored != 0 && stored != computed) {
                        throw LoadError{"Wrong RDB checksum. Aborting now."};
                    }
                }
                return;
            }
            default:
                break;
        }
        std::string key = r.string();
        Object value = load_value(r, static_cast<std::uint8_t>(type));
        const std::int64_t expire = expire_ms;
        expire_ms = -1;
        if (is_empty(value)) {
            ++res.empty_keys_skipped;
            continue;
        }
        if (options.skip_expired && expire >= 0 && expire < options.now_ms) {
            ++res.keys_expired;
            continue;
        }
        value.lru = static_cast<std::uint32_t>(options.now_ms / 1000);
        Db& d = into.db(db);
        Db::Node* node = d.create(key, std::move(value));
        if (expire >= 0) {
            d.set_expire(node, expire);
        }
        ++res.keys_loaded;
    }
}

}  // namespace

RdbLoadResult load_rdb(RdbInput& in, Keyspace& into, const RdbLoadOptions& options) {
    RdbLoadResult res;
    Reader r(in);
    try {
        load_all(r, into, options, res);
        res.ok = true;
    } catch (const LoadError& e) {
        res.error = e.message;
    } catch (const std::bad_alloc&) {
        res.error = "Out of memory loading RDB file";
    }
    return res;
}

bool load_rdb_value(RdbInput& in, std::uint8_t type, Object& out, std::string& error) {
    Reader r(in);
    try {
        out = load_value(r, type);
        return true;
    } catch (const LoadError& e) {
        error = e.message;
        return false;
    }
}

}  // namespace vigil::server
