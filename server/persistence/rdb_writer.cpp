#include "server/persistence/rdb_writer.hpp"

#include <algorithm>
#include <bit>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <vector>

#include "server/persistence/compact_formats.hpp"
#include "server/persistence/crc64.hpp"
#include "server/persistence/lzf.hpp"
#include "server/version.hpp"

namespace vigil::server {
namespace {

constexpr std::size_t kFlushAt = 1 << 16;
constexpr std::size_t kListNodeBytes = 8192;  // list-max-listpack-size -2

void put_u8(std::string& out, unsigned v) {
    out.push_back(static_cast<char>(v & 0xff));
}

void put_le64(std::string& out, std::uint64_t v) {
    for (int i = 0; i < 8; ++i) {
        out.push_back(static_cast<char>((v >> (8 * i)) & 0xff));
    }
}

// A zset score as Redis stores it in a listpack: integers as integers, else shortest "%.17g".
std::string score_string(double v) {
    if (std::isinf(v)) {
        return v > 0 ? "inf" : "-inf";
    }
    if (v == 0 && std::signbit(v)) {
        return "-0";
    }
    if (v == std::floor(v) && std::fabs(v) < 4503599627370496.0) {
        return std::to_string(static_cast<std::int64_t>(v));
    }
    char buf[64];
    auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v, std::chars_format::general, 17);
    return std::string(buf, p);
}

// The encodings Redis 7.0 would use for this content (encoding limits from the config), so a
// dump loads in redis-server with the same encodings it would have built itself.
bool hash_fits_listpack(const Hash& h) {
    const auto& lim = encoding_limits();
    if (h.size() > lim.hash_max_listpack_entries) {
        return false;
    }
    bool fits = true;
    h.for_each([&](const std::string& f, const std::string& v) {
        fits = fits && f.size() <= lim.hash_max_listpack_value &&
               v.size() <= lim.hash_max_listpack_value;
    });
    return fits;
}

bool set_fits_intset(const Set& s) {
    if (s.size() > encoding_limits().set_max_intset_entries) {
        return false;
    }
    if (s.is_intset()) {
        return true;
    }
    bool fits = true;
    s.for_each([&](const std::string& m) {
        std::int64_t v = 0;
        fits = fits && strict_int64(m, v);
    });
    return fits;
}

bool zset_fits_listpack(const ZSet& z) {
    const auto& lim = encoding_limits();
    if (z.size() > lim.zset_max_listpack_entries) {
        return false;
    }
    for (const auto& e : z.tree()) {
        if (e.second.size() > lim.zset_max_listpack_value) {
            return false;
        }
    }
    return true;
}

void put_list(std::string& out, const List& list, bool compress) {
    // Quicklist 2: nodes of packed listpacks of about 8 KB each.
    std::vector<std::string> nodes;
    ListpackBuilder lp;
    for (const std::string& e : list) {
        if (lp.count() > 0 && lp.bytes() + e.size() + 11 > kListNodeBytes) {
            nodes.push_back(lp.finish());
            lp.clear();
        }
        lp.append(e);
    }
    if (lp.count() > 0) {
        nodes.push_back(lp.finish());
    }
    rdb::put_length(out, nodes.size());
    for (const std::string& node : nodes) {
        rdb::put_length(out, rdb::kQuicklistNodePacked);
        rdb::put_string(out, node, compress);
    }
}

}  // namespace

namespace rdb {

void put_length(std::string& out, std::uint64_t len) {
    if (len < (1U << 6)) {
        put_u8(out, static_cast<unsigned>(len));
    } else if (len < (1U << 14)) {
        put_u8(out, static_cast<unsigned>(0x40 | (len >> 8)));
        put_u8(out, static_cast<unsigned>(len & 0xff));
    } else if (len <= std::numeric_limits<std::uint32_t>::max()) {
        put_u8(out, kLen32Bit);
        for (int i = 3; i >= 0; --i) {
            put_u8(out, static_cast<unsigned>((len >> (8 * i)) & 0xff));
        }
    } else {
        put_u8(out, kLen64Bit);
        for (int i = 7; i >= 0; --i) {
            put_u8(out, static_cast<unsigned>((len >> (8 * i)) & 0xff));
        }
    }
}

void put_string(std::string& out, std::string_view s, bool compress) {
    // Short canonical integers that fit 32 bits are stored as integers.
    std::int64_t v = 0;
    if (s.size() <= 11 && strict_int64(s, v)) {
        auto u = static_cast<std::uint64_t>(v);
        if (v >= std::numeric_limits<std::int8_t>::min() &&
            v <= std::numeric_limits<std::int8_t>::max()) {
            put_u8(out, (kLenEncoded << 6) | kEncInt8);
            put_u8(out, static_cast<unsigned>(u & 0xff));
            return;
        }
        if (v >= std::numeric_limits<std::int16_t>::min() &&
            v <= std::numeric_limits<std::int16_t>::max()) {
            put_u8(out, (kLenEncoded << 6) | kEncInt16);
            put_u8(out, static_cast<unsigned>(u & 0xff));
            put_u8(out, static_cast<unsigned>((u >> 8) & 0xff));
            return;
        }
        if (v >= std::numeric_limits<std::int32_t>::min() &&
            v <= std::numeric_limits<std::int32_t>::max()) {
            put_u8(out, (kLenEncoded << 6) | kEncInt32);
            for (int i = 0; i < 4; ++i) {
                put_u8(out, static_cast<unsigned>((u >> (8 * i)) & 0xff));
            }
            return;
        }
    }
    if (compress && s.size() > 20) {
        // Like Redis: compress only when it saves more than 4 bytes.
        if (auto packed = lzf_compress(s, 4)) {
            put_u8(out, (kLenEncoded << 6) | kEncLzf);
            put_length(out, packed->size());
            put_length(out, s.size());
            out.append(*packed);
            return;
        }
    }
    put_length(out, s.size());
    out.append(s);
}

void put_double(std::string& out, double v) {
    put_le64(out, std::bit_cast<std::uint64_t>(v));
}

std::uint8_t value_type(const Object& o) {
    switch (o.type()) {
        case ValueType::string:
            return kTypeString;
        case ValueType::list:
            return kTypeListQuicklist2;
        case ValueType::set:
            return set_fits_intset(o.set()) ? kTypeSetIntset : kTypeSet;
        case ValueType::zset:
            return zset_fits_listpack(o.zset()) ? kTypeZsetListpack : kTypeZset2;
        case ValueType::hash:
            return hash_fits_listpack(o.hash()) ? kTypeHashListpack : kTypeHash;
    }
    return kTypeString;
}

void put_value(std::string& out, const Object& o, bool compress) {
    switch (value_type(o)) {
        case kTypeString:
            put_string(out, o.str(), compress);
            break;
        case kTypeListQuicklist2:
            put_list(out, o.list(), compress);
            break;
        case kTypeSetIntset: {
            std::vector<std::int64_t> ints;
            ints.reserve(o.set().size());
            o.set().for_each([&](const std::string& m) {
                std::int64_t v = 0;
                strict_int64(m, v);
                ints.push_back(v);
            });
            std::sort(ints.begin(), ints.end());
            put_string(out, intset_encode(ints), compress);
            break;
        }
        case kTypeSet:
            put_length(out, o.set().size());
            o.set().for_each([&](const std::string& m) { put_string(out, m, compress); });
            break;
        case kTypeZsetListpack: {
            ListpackBuilder lp;
            for (const auto& [score, member] : o.zset().tree()) {
                lp.append(member);
                lp.append(score_string(score));
            }
            put_string(out, lp.finish(), compress);
            break;
        }
        case kTypeZset2: {
            const auto& tree = o.zset().tree();
            put_length(out, o.zset().size());
            // Highest score first, as Redis writes skiplists (it loads them by head insertion).
            for (auto it = tree.end(); it != tree.begin();) {
                --it;
                put_string(out, it->second, compress);
                put_double(out, it->first);
            }
            break;
        }
        case kTypeHashListpack: {
            ListpackBuilder lp;
            o.hash().for_each([&](const std::string& f, const std::string& v) {
                lp.append(f);
                lp.append(v);
            });
            put_string(out, lp.finish(), compress);
            break;
        }
        case kTypeHash:
            put_length(out, o.hash().size());
            o.hash().for_each([&](const std::string& f, const std::string& v) {
                put_string(out, f, compress);
                put_string(out, v, compress);
            });
            break;
        default:
            break;
    }
}

}  // namespace rdb

bool RdbWriter::flush() {
    if (buf_.empty()) {
        return true;
    }
    crc_ = crc64(crc_, buf_);
    written_ += buf_.size();
    bool ok = out_.write(buf_);
    buf_.clear();
    return ok;
}

bool RdbWriter::header() {
    buf_.append("REDIS");
    char version[8];
    std::snprintf(version, sizeof(version), "%04d", rdb::kVersion);
    buf_.append(version);
    auto aux = [&](std::string_view key, std::string_view value) {
        put_u8(buf_, rdb::kOpAux);
        rdb::put_string(buf_, key, false);
        rdb::put_string(buf_, value, false);
    };
    aux("redis-ver", kRedisCompatVersion);
    aux("redis-bits", sizeof(void*) == 8 ? "64" : "32");
    aux("ctime", std::to_string(options_.now_ms / 1000));
    aux("used-mem", std::to_string(options_.used_mem));
    if (!options_.repl_id.empty()) {
        aux("repl-stream-db", std::to_string(options_.repl_stream_db));
        aux("repl-id", options_.repl_id);
        aux("repl-offset", std::to_string(options_.repl_offset));
    }
    aux("aof-base", options_.aof_base ? "1" : "0");
    return flush();
}

bool RdbWriter::select_db(int index, std::uint64_t keys, std::uint64_t expires) {
    put_u8(buf_, rdb::kOpSelectDb);
    rdb::put_length(buf_, static_cast<std::uint64_t>(index));
    put_u8(buf_, rdb::kOpResizeDb);
    rdb::put_length(buf_, keys);
    rdb::put_length(buf_, expires);
    return true;
}

bool RdbWriter::key_value(std::string_view key, const Object& value) {
    if (value.expire_ms >= 0) {
        put_u8(buf_, rdb::kOpExpireTimeMs);
        put_le64(buf_, static_cast<std::uint64_t>(value.expire_ms));
    }
    put_u8(buf_, rdb::value_type(value));
    rdb::put_string(buf_, key, options_.compression);
    rdb::put_value(buf_, value, options_.compression);
    return buf_.size() < kFlushAt || flush();
}

bool RdbWriter::finish() {
    put_u8(buf_, rdb::kOpEof);
    if (!flush()) {
        return false;
    }
    std::string sum;
    put_le64(sum, options_.checksum ? crc_ : 0);
    written_ += sum.size();
    return out_.write(sum);
}

bool write_rdb(const Keyspace& keyspace, RdbOutput& out, const RdbSaveOptions& options) {
    RdbWriter w(out, options);
    if (!w.header()) {
        return false;
    }
    for (int i = 0; i < keyspace.db_count(); ++i) {
        const Db& db = keyspace.db(i);
        if (db.size() == 0) {
            continue;
        }
        w.select_db(i, db.size(), db.expires_count());
        bool ok = true;
        db.dict().for_each([&](const std::string& key, const Object& value) {
            if (ok) {
                ok = w.key_value(key, value);
            }
        });
        if (!ok) {
            return false;
        }
    }
    return w.finish();
}

}  // namespace vigil::server
