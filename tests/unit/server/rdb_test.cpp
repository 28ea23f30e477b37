// RDB: CRC-64, LZF, the compact encodings, writer -> loader round trips of every type and
// encoding, a dump written by redis-server 7.0.15, and clean failure on truncated or corrupt
// input.
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <random>

#include <gtest/gtest.h>

#include "server/persistence/compact_formats.hpp"
#include "server/persistence/crc64.hpp"
#include "server/persistence/lzf.hpp"
#include "server/persistence/rdb_loader.hpp"
#include "server/persistence/rdb_writer.hpp"
#include "tests/support/command_runner.hpp"
#include <unistd.h>

namespace vigil::server {
namespace {

constexpr std::int64_t kNow = 1'700'000'000'000;

std::string from_hex(std::string_view hex) {
    std::string out;
    for (std::size_t i = 0; i + 1 < hex.size(); i += 2) {
        out.push_back(static_cast<char>(std::stoi(std::string(hex.substr(i, 2)), nullptr, 16)));
    }
    return out;
}

// SAVE of redis-server 7.0.15: str, int (-1234567), lzf (LZF string of 90 bytes), list
// (quicklist 2), hash (listpack), iset (intset with 64-bit values), sset (plain set),
// zs (listpack zset: a=1, b=2.5, c=-3), exp (expires at 2100-01-01), and db 2: other=db2.
const std::string kRedisDump = from_hex(
    "524544495330303130fa0972656469732d76657206372e302e3135fa0a72656469732d62697473c040fa056374696d"
    "65"
    "c29e95016bfa08757365642d6d656dc2383c1000fa08616f662d62617365c000fe00fb090100037374720568656c6c"
    "6f"
    "02047373657402017901780003696e74c27929edff00036c7a66c30b405a0361626361e04b0201626311027a731a1a"
    "00"
    "00000600816302dffd02816102010181620283322e3504ff1004686173681515000000040082663103827631038266"
    "32"
    "030201ff0b046973657420080000000300000090eefeffffffffff0500000000000000005ed0b200000000fc00d8c3"
    "2c"
    "bb0300000003657870017612046c6973740102191900000005008161020101ded402f2a08601048378797a04fffe02"
    "fb"
    "010000056f7468657203646232ffd8e95acea8c9c8fd");

// A canonical text form of a keyspace, for comparisons.
std::map<std::string, std::string> snapshot(const Keyspace& ks) {
    std::map<std::string, std::string> out;
    for (int i = 0; i < ks.db_count(); ++i) {
        ks.db(i).dict().for_each([&](const std::string& key, const Object& o) {
            std::string v = std::string(type_name(o.type())) + "|" + std::to_string(o.expire_ms);
            switch (o.type()) {
                case ValueType::string:
                    v += "|" + o.str();
                    break;
                case ValueType::list:
                    for (const auto& e : o.list()) {
                        v += "|" + e;
                    }
                    break;
                case ValueType::set: {
                    auto m = o.set().members();
                    std::sort(m.begin(), m.end());
                    for (const auto& e : m) {
                        v += "|" + e;
                    }
                    break;
                }
                case ValueType::zset:
                    for (const auto& [score, member] : o.zset().tree()) {
                        char buf[64];
                        std::snprintf(buf, sizeof(buf), "%.17g", score);
                        v += "|" + member + "=" + buf;
                    }
                    break;
                case ValueType::hash: {
                    std::map<std::string, std::string> fields;
                    o.hash().for_each(
                        [&](const std::string& f, const std::string& val) { fields[f] = val; });
                    for (const auto& [f, val] : fields) {
                        v += "|" + f + "=" + val;
                    }
                    break;
                }
            }
            out[std::to_string(i) + ":" + key] = v;
        });
    }
    return out;
}

Db::Node* put(Keyspace& ks, int db, std::string_view key, Object o, std::int64_t expire = -1) {
    Db::Node* n = ks.db(db).create(key, std::move(o));
    if (expire >= 0) {
        ks.db(db).set_expire(n, expire);
    }
    return n;
}

Object str(std::string s) {
    Object o;
    o.value = std::move(s);
    return o;
}

// Every type in every encoding we write, with edge-case contents.
void fill_everything(Keyspace& ks, int big_list_size = 20000) {
    put(ks, 0, "s:plain", str("hello"));
    put(ks, 0, "s:empty", str(""));
    put(ks, 0, "s:int8", str("-128"));
    put(ks, 0, "s:int16", str("32767"));
    put(ks, 0, "s:int32", str("-2147483648"));
    put(ks, 0, "s:int64", str("9223372036854775807"));
    put(ks, 0, "s:notint", str("007"));
    put(ks, 0, "s:binary", str(std::string("a\0b\r\n\xff", 6)));
    put(ks, 0, "s:lzf", str(std::string(5000, 'x') + "tail"));
    std::mt19937 rng(7);
    std::string random_bytes(3000, '\0');
    for (char& c : random_bytes) {
        c = static_cast<char>(rng());
    }
    put(ks, 0, "s:random", str(random_bytes));
    put(ks, 0, "s:expiring", str("v"), kNow + 60'000);

    Object small_list = Object::make(ValueType::list);
    for (std::string e : {"a", "1", "-300", "100000", "-9223372036854775808", "", "xyz"}) {
        small_list.list().push_back(e);
    }
    put(ks, 0, "l:small", std::move(small_list));
    Object big_list = Object::make(ValueType::list);
    for (int i = 0; i < big_list_size; ++i) {
        big_list.list().push_back(i % 3 == 0 ? std::to_string(i * 7919)
                                             : "element-" + std::to_string(i));
    }
    big_list.list().push_back(std::string(20000, 'L'));  // bigger than one node
    put(ks, 1, "l:big", std::move(big_list), kNow + 1);

    Object ints = Object::make(ValueType::set);
    for (std::string m : {"1", "-5", "70000", "3000000000", "-9223372036854775808"}) {
        ints.set().add(m);
    }
    ASSERT_TRUE(ints.set().is_intset());
    put(ks, 0, "set:intset", std::move(ints));
    Object strings = Object::make(ValueType::set);
    for (int i = 0; i < 1000; ++i) {
        strings.set().add("member" + std::to_string(i));
    }
    put(ks, 0, "set:table", std::move(strings));

    Object small_hash = Object::make(ValueType::hash);
    small_hash.hash().set("f1", "v1");
    small_hash.hash().set("n", "42");
    small_hash.hash().set("neg", "-4097");
    small_hash.hash().set("", "empty field");
    ASSERT_TRUE(small_hash.hash().is_small());
    put(ks, 0, "h:listpack", std::move(small_hash));
    Object big_hash = Object::make(ValueType::hash);
    big_hash.hash().set("long", std::string(100, 'v'));
    for (int i = 0; i < 300; ++i) {
        big_hash.hash().set("field" + std::to_string(i), std::to_string(i));
    }
    ASSERT_FALSE(big_hash.hash().is_small());
    put(ks, 2, "h:table", std::move(big_hash));

    Object small_zset = Object::make(ValueType::zset);
    small_zset.zset().set("a", 1);
    small_zset.zset().set("b", 2.5);
    small_zset.zset().set("c", -3);
    small_zset.zset().set("d", 0.1);
    small_zset.zset().set("inf", std::numeric_limits<double>::infinity());
    small_zset.zset().set("-inf", -std::numeric_limits<double>::infinity());
    small_zset.zset().set("big", 1e300);
    put(ks, 0, "z:listpack", std::move(small_zset));
    Object big_zset = Object::make(ValueType::zset);
    for (int i = 0; i < 500; ++i) {
        big_zset.zset().set("m" + std::to_string(i), i * 1.25 - 100);
    }
    big_zset.zset().set("inf", std::numeric_limits<double>::infinity());
    put(ks, 15, "z:skiplist", std::move(big_zset));
}

TEST(Crc64, MatchesTheJonesCheckValue) {
    EXPECT_EQ(crc64(0, "123456789"), 0xe9c6d914c4b8d9caULL);
    EXPECT_EQ(crc64(0, ""), 0ULL);
    // Incremental equals one shot, across the 8-byte fast path.
    std::string data(1000, '\0');
    for (std::size_t i = 0; i < data.size(); ++i) {
        data[i] = static_cast<char>(i * 31);
    }
    std::uint64_t whole = crc64(0, data);
    std::uint64_t parts = crc64(crc64(0, data.data(), 13), data.data() + 13, data.size() - 13);
    EXPECT_EQ(whole, parts);
}

TEST(Lzf, RoundTripsAndRefusesToGrow) {
    std::vector<std::string> inputs = {std::string(10000, 'a'), "abcabcabcabcabcabcabcabcabc",
                                       std::string(300, 'x') + std::string(300, 'y')};
    std::string text;
    for (int i = 0; i < 2000; ++i) {
        text += "word" + std::to_string(i % 50) + " ";
    }
    inputs.push_back(text);
    for (const auto& in : inputs) {
        auto packed = lzf_compress(in, 4);
        ASSERT_TRUE(packed.has_value());
        EXPECT_LT(packed->size(), in.size());
        std::string out(in.size(), '\0');
        ASSERT_TRUE(lzf_decompress(*packed, out.data(), out.size()));
        EXPECT_EQ(out, in);
        // A wrong expected length is an error, not an overflow.
        std::string shorter(in.size() - 1, '\0');
        EXPECT_FALSE(lzf_decompress(*packed, shorter.data(), shorter.size()));
    }
    std::mt19937 rng(1);
    std::string noise(500, '\0');
    for (char& c : noise) {
        c = static_cast<char>(rng());
    }
    EXPECT_FALSE(lzf_compress(noise, 4).has_value());
}

TEST(Listpack, EncodesIntegersAndStringsAtEveryWidth) {
    std::vector<std::string> items = {"0",
                                      "127",
                                      "128",
                                      "-1",
                                      "-4096",
                                      "4095",
                                      "-4097",
                                      "4096",
                                      "32767",
                                      "-32768",
                                      "32768",
                                      "8388607",
                                      "-8388608",
                                      "8388608",
                                      "2147483647",
                                      "-2147483648",
                                      "2147483648",
                                      "9223372036854775807",
                                      "-9223372036854775808",
                                      "",
                                      "-0",
                                      "01",
                                      std::string(63, 's'),
                                      std::string(64, 's'),
                                      std::string(4095, 'm'),
                                      std::string(4096, 'l'),
                                      std::string(70000, 'h')};
    ListpackBuilder b;
    for (const auto& s : items) {
        b.append(s);
    }
    std::string blob = b.finish();
    EXPECT_EQ(blob.size(), b.bytes());
    std::vector<std::string> decoded;
    ASSERT_TRUE(listpack_decode(blob, decoded));
    EXPECT_EQ(decoded, items);
    // Truncations and corruptions are rejected.
    for (std::size_t cut : {std::size_t{0}, std::size_t{6}, blob.size() / 2, blob.size() - 1}) {
        std::vector<std::string> ignored;
        EXPECT_FALSE(listpack_decode(blob.substr(0, cut), ignored));
    }
}

TEST(Intset, RoundTripsEveryWidth) {
    for (std::vector<std::int64_t> v :
         {std::vector<std::int64_t>{1, 2, 3}, std::vector<std::int64_t>{-70000, 5},
          std::vector<std::int64_t>{-5, 3000000000}}) {
        std::vector<std::int64_t> out;
        ASSERT_TRUE(intset_decode(intset_encode(v), out));
        EXPECT_EQ(out, v);
    }
}

TEST(RdbWriter, EncodesValuesLikeRedis) {
    // The value bytes redis-server 7.0.15 writes for the same data (from kRedisDump).
    Object hash = Object::make(ValueType::hash);
    hash.hash().set("f1", "v1");
    hash.hash().set("f2", "2");
    std::string out;
    rdb::put_value(out, hash, true);
    EXPECT_EQ(rdb::value_type(hash), rdb::kTypeHashListpack);
    EXPECT_EQ(out, from_hex("151500000004008266310382763103826632030201ff"));

    Object zset = Object::make(ValueType::zset);
    zset.zset().set("a", 1);
    zset.zset().set("b", 2.5);
    zset.zset().set("c", -3);
    out.clear();
    rdb::put_value(out, zset, true);
    EXPECT_EQ(rdb::value_type(zset), rdb::kTypeZsetListpack);
    EXPECT_EQ(out, from_hex("1a1a0000000600816302dffd02816102010181620283322e3504ff"));

    Object list = Object::make(ValueType::list);
    for (std::string e : {"a", "1", "-300", "100000", "xyz"}) {
        list.list().push_back(e);
    }
    out.clear();
    rdb::put_value(out, list, true);
    EXPECT_EQ(rdb::value_type(list), rdb::kTypeListQuicklist2);
    EXPECT_EQ(out, from_hex("0102191900000005008161020101ded402f2a08601048378797a04ff"));

    Object set = Object::make(ValueType::set);
    for (std::string m : {"5", "-70000", "3000000000"}) {
        set.set().add(m);
    }
    out.clear();
    rdb::put_value(out, set, true);
    EXPECT_EQ(rdb::value_type(set), rdb::kTypeSetIntset);
    EXPECT_EQ(out, from_hex("200800000003000000"
                            "90eefeffffffffff"
                            "0500000000000000"
                            "005ed0b200000000"));

    out.clear();
    rdb::put_string(out, "-1234567", true);
    EXPECT_EQ(out, from_hex("c27929edff"));
}

TEST(RdbRoundTrip, EveryTypeAndEncoding) {
    for (bool compression : {true, false}) {
        Keyspace ks(16);
        fill_everything(ks);
        StringRdbOutput out;
        RdbSaveOptions opts;
        opts.compression = compression;
        opts.now_ms = kNow;
        ASSERT_TRUE(write_rdb(ks, out, opts));
        EXPECT_EQ(out.data.substr(0, 9), "REDIS0010");

        Keyspace loaded(16);
        MemoryRdbInput in(out.data);
        RdbLoadOptions lopts;
        lopts.now_ms = kNow;
        RdbLoadResult res = load_rdb(in, loaded, lopts);
        ASSERT_TRUE(res.ok) << res.error;
        EXPECT_EQ(in.position(), out.data.size());
        EXPECT_EQ(res.keys_expired, 0U);
        EXPECT_EQ(snapshot(loaded), snapshot(ks));
        EXPECT_EQ(loaded.db(0).expires_count(), 1U);
        // Encodings survive: small stays small.
        EXPECT_TRUE(loaded.db(0).find_raw("h:listpack")->value.hash().is_small());
        EXPECT_FALSE(loaded.db(2).find_raw("h:table")->value.hash().is_small());
        EXPECT_TRUE(loaded.db(0).find_raw("set:intset")->value.set().is_intset());
        bool has_aux_base = false;
        for (const auto& [k, v] : res.aux) {
            has_aux_base |= k == "aof-base" && v == "0";
        }
        EXPECT_TRUE(has_aux_base);
    }
}

TEST(RdbRoundTrip, SkipsExpiredKeysOnAMasterOnly) {
    Keyspace ks(16);
    fill_everything(ks);
    StringRdbOutput out;
    RdbSaveOptions opts;
    ASSERT_TRUE(write_rdb(ks, out, opts));

    RdbLoadOptions later;
    later.now_ms = kNow + 30'000;  // l:big (kNow + 1) expired, s:expiring not yet
    Keyspace loaded(16);
    MemoryRdbInput in(out.data);
    RdbLoadResult res = load_rdb(in, loaded, later);
    ASSERT_TRUE(res.ok) << res.error;
    EXPECT_EQ(res.keys_expired, 1U);
    EXPECT_EQ(loaded.db(1).find_raw("l:big"), nullptr);
    EXPECT_NE(loaded.db(0).find_raw("s:expiring"), nullptr);

    later.skip_expired = false;  // a replica keeps them for the master's DEL
    Keyspace replica(16);
    MemoryRdbInput again(out.data);
    ASSERT_TRUE(load_rdb(again, replica, later).ok);
    EXPECT_NE(replica.db(1).find_raw("l:big"), nullptr);
}

TEST(RdbLoader, ReadsARedis70Dump) {
    Keyspace ks(16);
    MemoryRdbInput in(kRedisDump);
    RdbLoadOptions opts;
    opts.now_ms = kNow;
    RdbLoadResult res = load_rdb(in, ks, opts);
    ASSERT_TRUE(res.ok) << res.error;
    EXPECT_EQ(res.version, 10);
    EXPECT_EQ(res.keys_loaded, 10U);
    auto snap = snapshot(ks);
    EXPECT_EQ(snap["0:str"], "string|-1|hello");
    EXPECT_EQ(snap["0:int"], "string|-1|-1234567");
    std::string abc;
    for (int i = 0; i < 10; ++i) {
        abc += "abcabcabc";
    }
    EXPECT_EQ(snap["0:lzf"], "string|-1|" + abc);
    EXPECT_EQ(snap["0:list"], "list|-1|a|1|-300|100000|xyz");
    EXPECT_EQ(snap["0:hash"], "hash|-1|f1=v1|f2=2");
    EXPECT_EQ(snap["0:iset"], "set|-1|-70000|3000000000|5");
    EXPECT_EQ(snap["0:sset"], "set|-1|x|y");
    EXPECT_EQ(snap["0:zs"], "zset|-1|c=-3|a=1|b=2.5");
    EXPECT_EQ(snap["0:exp"], "string|4102444800000|v");
    EXPECT_EQ(snap["2:other"], "string|-1|db2");
}

TEST(RdbLoader, ReadsOlderEncodings) {
    // Hand-built values in the Redis 6 encodings: ziplist hash, ziplist zset, quicklist of
    // ziplists, zset with string scores, plain list.
    auto ziplist = [](std::vector<std::string> items) {
        std::string body;
        std::size_t prev = 0;
        for (const auto& s : items) {
            std::string entry;
            entry.push_back(static_cast<char>(prev));
            std::int64_t v = 0;
            if (strict_int64(s, v) && v >= 0 && v <= 12) {
                entry.push_back(static_cast<char>(0xF1 + v));
            } else if (strict_int64(s, v) && v >= -32768 && v <= 32767) {
                entry.push_back(static_cast<char>(0xC0));
                entry.push_back(static_cast<char>(v & 0xff));
                entry.push_back(static_cast<char>((v >> 8) & 0xff));
            } else {
                entry.push_back(static_cast<char>(s.size()));
                entry.append(s);
            }
            prev = entry.size();
            body += entry;
        }
        std::string zl;
        std::uint32_t total = static_cast<std::uint32_t>(body.size() + 11);
        for (int i = 0; i < 4; ++i) {
            zl.push_back(static_cast<char>((total >> (8 * i)) & 0xff));
        }
        zl.append(4, '\0');  // tail offset (unused by the decoder)
        zl.push_back(static_cast<char>(items.size()));
        zl.push_back('\0');
        zl += body;
        zl.push_back(static_cast<char>(0xFF));
        return zl;
    };
    std::string rdb = "REDIS0009";
    rdb.push_back(static_cast<char>(rdb::kOpSelectDb));
    rdb.push_back(0);
    auto add = [&](std::uint8_t type, std::string_view key, const std::string& payload) {
        rdb.push_back(static_cast<char>(type));
        rdb::put_string(rdb, key, false);
        rdb += payload;
    };
    std::string p;
    rdb::put_string(p, ziplist({"f", "v", "n", "7"}), false);
    add(rdb::kTypeHashZiplist, "zh", p);
    p.clear();
    rdb::put_string(p, ziplist({"a", "1", "b", "300"}), false);
    add(rdb::kTypeZsetZiplist, "zz", p);
    p.clear();
    rdb::put_length(p, 2);
    rdb::put_string(p, ziplist({"x", "1"}), false);
    rdb::put_string(p, ziplist({"-2", "y"}), false);
    add(rdb::kTypeListQuicklist, "ql", p);
    p.clear();
    rdb::put_length(p, 2);
    rdb::put_string(p, "m", false);
    p += std::string(
        "\x03"
        "1.5",
        4);
    rdb::put_string(p, "n", false);
    p.push_back(static_cast<char>(255));  // -inf
    add(rdb::kTypeZset, "z1", p);
    p.clear();
    rdb::put_length(p, 2);
    rdb::put_string(p, "a", false);
    rdb::put_string(p, "b", false);
    add(rdb::kTypeList, "pl", p);
    rdb.push_back(static_cast<char>(rdb::kOpEof));
    rdb.append(8, '\0');  // checksum disabled

    Keyspace ks(16);
    MemoryRdbInput in(rdb);
    RdbLoadResult res = load_rdb(in, ks, RdbLoadOptions{});
    ASSERT_TRUE(res.ok) << res.error;
    auto snap = snapshot(ks);
    EXPECT_EQ(snap["0:zh"], "hash|-1|f=v|n=7");
    EXPECT_EQ(snap["0:zz"], "zset|-1|a=1|b=300");
    EXPECT_EQ(snap["0:ql"], "list|-1|x|1|-2|y");
    EXPECT_EQ(snap["0:z1"], "zset|-1|n=-inf|m=1.5");
    EXPECT_EQ(snap["0:pl"], "list|-1|a|b");
}

TEST(RdbLoader, FailsCleanlyOnTruncatedOrCorruptInput) {
    Keyspace ks(16);
    fill_everything(ks, 500);
    StringRdbOutput out;
    ASSERT_TRUE(write_rdb(ks, out, RdbSaveOptions{}));
    const std::string& good = out.data;
    // Every truncation point fails (sampled densely at the start, where the structure is).
    for (std::size_t cut = 0; cut < good.size(); cut += cut < 2000 ? 3 : 997) {
        Keyspace into(16);
        MemoryRdbInput in(std::string_view(good).substr(0, cut));
        RdbLoadResult res = load_rdb(in, into, RdbLoadOptions{});
        EXPECT_FALSE(res.ok) << "cut at " << cut;
        EXPECT_FALSE(res.error.empty());
    }
    // A flipped byte is caught (by the checksum if not by the structure).
    std::mt19937 rng(3);
    for (int i = 0; i < 200; ++i) {
        std::string bad = good;
        std::size_t at = 9 + rng() % (bad.size() - 9);
        bad[at] = static_cast<char>(bad[at] ^ (1 + rng() % 255));
        Keyspace into(16);
        MemoryRdbInput in(bad);
        EXPECT_FALSE(load_rdb(in, into, RdbLoadOptions{}).ok) << "flip at " << at;
    }
    // Wrong magic, too new a version.
    Keyspace into(16);
    MemoryRdbInput wrong("RUBBISH00010");
    EXPECT_FALSE(load_rdb(wrong, into, RdbLoadOptions{}).ok);
    MemoryRdbInput future("REDIS0099\xff");
    EXPECT_FALSE(load_rdb(future, into, RdbLoadOptions{}).ok);
}

// Persistence: a failed load at start leaves the dataset as it was, SAVE writes the file,
// DEBUG RELOAD round-trips.
class PersistenceFiles : public ::testing::Test {
protected:
    void SetUp() override {
        char tmpl[] = "/tmp/vigil-rdb-test-XXXXXX";
        ASSERT_NE(::mkdtemp(tmpl), nullptr);
        dir_ = tmpl;
    }
    void TearDown() override { std::filesystem::remove_all(dir_); }
    ServerConfig config() {
        ServerConfig c;
        c.dir = dir_;
        c.save_params.clear();
        c.enable_debug_command = "yes";
        return c;
    }
    std::string dir_;
};

TEST_F(PersistenceFiles, SaveThenLoadAtStart) {
    {
        test::CommandRunner r(config());
        r.run({"set", "a", "1"});
        r.run({"set", "b", "two", "px", "100000"});
        EXPECT_EQ(r.run({"save"}), "+OK\r\n");
        EXPECT_EQ(r.server().stats.dirty, 0U);
    }
    test::CommandRunner r2(config());
    std::string error;
    ASSERT_TRUE(r2.server().persistence->load(error)) << error;
    EXPECT_EQ(r2.run({"get", "b"}), "$3\r\ntwo\r\n");
    EXPECT_EQ(r2.run({"pttl", "b"}), ":100000\r\n");
    EXPECT_EQ(r2.run({"debug", "reload"}), "+OK\r\n");
    EXPECT_EQ(r2.run({"get", "a"}), "$1\r\n1\r\n");
}

TEST_F(PersistenceFiles, FailedLoadChangesNothing) {
    {
        test::CommandRunner r(config());
        for (int i = 0; i < 100; ++i) {
            r.run({"set", "k" + std::to_string(i), "v"});
        }
        ASSERT_EQ(r.run({"save"}), "+OK\r\n");
    }
    const std::string path = dir_ + "/dump.rdb";
    std::filesystem::resize_file(path, std::filesystem::file_size(path) - 20);
    test::CommandRunner r(config());
    r.run({"set", "existing", "yes"});
    std::string error;
    EXPECT_FALSE(r.server().persistence->load(error));
    EXPECT_FALSE(error.empty());
    EXPECT_EQ(r.run({"dbsize"}), ":1\r\n");
    EXPECT_EQ(r.run({"get", "existing"}), "$3\r\nyes\r\n");
}

TEST_F(PersistenceFiles, BackgroundSaveIsReapedByCron) {
    test::CommandRunner r(config());
    r.run({"set", "a", "1"});
    EXPECT_EQ(r.run({"bgsave"}), "+Background saving started\r\n");
    EXPECT_EQ(r.run({"bgsave"}), "-ERR Background save already in progress\r\n");
    EXPECT_EQ(r.run({"save"}), "-ERR Background save already in progress\r\n");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (r.server().bgsave_in_progress && std::chrono::steady_clock::now() < deadline) {
        r.server().cron(r.now_ms);
        ::usleep(5000);
    }
    ASSERT_FALSE(r.server().bgsave_in_progress);
    EXPECT_TRUE(r.server().last_bgsave_ok);
    EXPECT_EQ(r.server().stats.dirty, 0U);
    EXPECT_TRUE(std::filesystem::exists(dir_ + "/dump.rdb"));
}

TEST_F(PersistenceFiles, MisconfAfterAFailedBackgroundSave) {
    ServerConfig c = config();
    c.save_params = {{3600, 1}};
    c.dir = dir_ + "/missing-dir";
    test::CommandRunner r(c);
    EXPECT_EQ(r.run({"bgsave"}), "+Background saving started\r\n");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (r.server().bgsave_in_progress && std::chrono::steady_clock::now() < deadline) {
        r.server().cron(r.now_ms);
        ::usleep(5000);
    }
    EXPECT_FALSE(r.server().last_bgsave_ok);
    const std::string misconf =
        "-MISCONF Redis is configured to save RDB snapshots, but it's currently unable to persist "
        "to disk. Commands that may modify the data set are disabled, because this instance is "
        "configured to report errors during writes if RDB snapshotting fails "
        "(stop-writes-on-bgsave-error option). Please check the Redis logs for details about the "
        "RDB error.\r\n";
    EXPECT_EQ(r.run({"set", "a", "1"}), misconf);
    EXPECT_EQ(r.run({"ping"}), misconf);
    EXPECT_EQ(r.run({"get", "a"}), "$-1\r\n");
    EXPECT_EQ(r.run({"save"}), "-ERR\r\n");
    std::filesystem::create_directory(c.dir);
    EXPECT_EQ(r.run({"save"}), "+OK\r\n");
    EXPECT_EQ(r.run({"set", "a", "1"}), "+OK\r\n");
}

}  // namespace
}  // namespace vigil::server
