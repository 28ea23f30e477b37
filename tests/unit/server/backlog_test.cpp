// The replication backlog (server/replication/backlog.hpp): stream offsets, covers(), copy_from(),
// whole-block trimming bounded below by the configured size, and the hold a syncing replica puts
// on old bytes (bounded by max_bytes).
//
// Every test keeps a reference std::string of everything appended, so that what the backlog holds
// can be checked byte for byte against the tail of the stream.
#include "server/replication/backlog.hpp"

#include <algorithm>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include <gtest/gtest.h>

using vigil::server::Backlog;

namespace {

// The backlog allocates and trims in blocks of this size (Backlog::kBlock, private).
constexpr std::size_t kBlock = 64 * 1024;

// Pseudo-random bytes, so that a copy from a wrong offset cannot match by accident.
std::string random_bytes(std::size_t n, std::uint32_t seed) {
    std::mt19937 gen(seed);
    std::uniform_int_distribution<int> dist(0, 255);
    std::string s(n, '\0');
    for (char& c : s) {
        c = static_cast<char>(dist(gen));
    }
    return s;
}

// A backlog together with the reference stream of every byte appended to it since `base`.
struct Fixture {
    Fixture(std::size_t size, std::int64_t base_offset) : b(size, base_offset), base(base_offset) {}

    void append(std::string_view bytes) {
        b.append(bytes);
        stream.append(bytes);
    }
    void append_random(std::size_t n) { append(random_bytes(n, seed++)); }

    std::int64_t end() const { return base + static_cast<std::int64_t>(stream.size()); }
    // The reference bytes from stream offset `offset` to the end.
    std::string tail_from(std::int64_t offset) const {
        return stream.substr(static_cast<std::size_t>(offset - base));
    }

    Backlog b;
    std::int64_t base;
    std::string stream;
    std::uint32_t seed = 1;
};

// Compares two (possibly large) byte strings, reporting the first difference instead of dumping
// both strings.
::testing::AssertionResult same_bytes(const std::string& got, const std::string& want) {
    if (got == want) {
        return ::testing::AssertionSuccess();
    }
    std::size_t i = 0;
    while (i < got.size() && i < want.size() && got[i] == want[i]) {
        ++i;
    }
    return ::testing::AssertionFailure() << "got " << got.size() << " bytes, want " << want.size()
                                         << " bytes; first difference at index " << i;
}

// The invariants that hold after any sequence of appends without a hold:
//  - next_offset() is the offset after the last byte appended, and
//    first_offset() + histlen() == next_offset();
//  - at least min(size, everything appended) bytes are held, and fewer than size + one block
//    (a whole front block is dropped as soon as the rest still holds `size` bytes);
//  - trimming drops whole blocks, so first_offset() - base is a multiple of the block size;
//  - the bytes held are exactly the tail of the stream.
::testing::AssertionResult consistent(const Fixture& f, std::size_t size, bool check_bytes = true) {
    const Backlog& b = f.b;
    if (b.next_offset() != f.end()) {
        return ::testing::AssertionFailure()
               << "next_offset " << b.next_offset() << ", want " << f.end();
    }
    if (b.first_offset() + static_cast<std::int64_t>(b.histlen()) != b.next_offset()) {
        return ::testing::AssertionFailure()
               << "first_offset " << b.first_offset() << " + histlen " << b.histlen()
               << " != next_offset " << b.next_offset();
    }
    if (b.memory() != b.histlen()) {
        return ::testing::AssertionFailure()
               << "memory " << b.memory() << " != histlen " << b.histlen();
    }
    std::size_t floor = std::min(size, f.stream.size());
    if (b.histlen() < floor) {
        return ::testing::AssertionFailure()
               << "histlen " << b.histlen() << " below min(size, appended) = " << floor;
    }
    if (b.histlen() >= size + kBlock) {
        return ::testing::AssertionFailure()
               << "histlen " << b.histlen()
               << " not trimmed below size + block = " << size + kBlock;
    }
    if ((b.first_offset() - f.base) % static_cast<std::int64_t>(kBlock) != 0) {
        return ::testing::AssertionFailure() << "first_offset " << b.first_offset()
                                             << " is not on a block boundary from base " << f.base;
    }
    if (check_bytes) {
        std::string got;
        b.copy_from(b.first_offset(), got);
        auto r = same_bytes(got, f.tail_from(b.first_offset()));
        if (!r) {
            return r << " (copy_from(first_offset) vs the stream's tail)";
        }
    }
    return ::testing::AssertionSuccess();
}

}  // namespace

// ---- offsets ----

TEST(Backlog, EmptyBacklogStartsAtTheGivenOffset) {
    Backlog b(1000, 42);
    EXPECT_EQ(b.first_offset(), 42);
    EXPECT_EQ(b.next_offset(), 42);
    EXPECT_EQ(b.histlen(), 0U);
    EXPECT_EQ(b.memory(), 0U);
    EXPECT_EQ(b.size(), 1000U);
    EXPECT_TRUE(b.covers(42));
    EXPECT_FALSE(b.covers(41));
    EXPECT_FALSE(b.covers(43));
    std::string out = "keep";
    b.copy_from(42, out);
    EXPECT_EQ(out, "keep");
}

TEST(Backlog, ZeroSizeIsRaisedToOne) {
    Backlog b(0, 1);
    EXPECT_EQ(b.size(), 1U);
    b.resize(0);
    EXPECT_EQ(b.size(), 1U);
}

TEST(Backlog, OffsetsAdvanceWithAppends) {
    Backlog b(1 << 20, 1);
    b.append("hello");
    EXPECT_EQ(b.first_offset(), 1);
    EXPECT_EQ(b.next_offset(), 6);
    EXPECT_EQ(b.histlen(), 5U);
    b.append("");
    EXPECT_EQ(b.next_offset(), 6);
    EXPECT_EQ(b.histlen(), 5U);
    b.append(" world");
    EXPECT_EQ(b.first_offset(), 1);
    EXPECT_EQ(b.next_offset(), 12);
    EXPECT_EQ(b.histlen(), 11U);
    EXPECT_EQ(b.memory(), 11U);
    std::string out;
    b.copy_from(1, out);
    EXPECT_EQ(out, "hello world");
}

TEST(Backlog, OffsetsBeyondThirtyTwoBits) {
    // master_repl_offset is 64-bit; nothing may be truncated on the way.
    const std::int64_t base = (std::int64_t{1} << 40) + 7;
    Fixture f(2 * kBlock, base);
    f.append_random(3 * kBlock + 5);
    EXPECT_TRUE(consistent(f, 2 * kBlock));
    EXPECT_EQ(f.b.next_offset(), base + static_cast<std::int64_t>(3 * kBlock + 5));
    EXPECT_EQ(f.b.first_offset(), base + static_cast<std::int64_t>(kBlock));
    std::string out;
    f.b.copy_from(base + static_cast<std::int64_t>(2 * kBlock) + 3, out);
    EXPECT_TRUE(same_bytes(out, f.tail_from(base + static_cast<std::int64_t>(2 * kBlock) + 3)));
}

// ---- covers ----

TEST(Backlog, CoversBoundaries) {
    Fixture f(1 << 20, 100);
    f.append_random(1000);
    const Backlog& b = f.b;
    EXPECT_TRUE(b.covers(100));    // first_offset
    EXPECT_TRUE(b.covers(600));    // in the middle
    EXPECT_TRUE(b.covers(1099));   // the last byte
    EXPECT_TRUE(b.covers(1100));   // next_offset: nothing to send, but a valid continuation
    EXPECT_FALSE(b.covers(1101));  // one past next_offset
    EXPECT_FALSE(b.covers(99));    // one before first_offset
    EXPECT_FALSE(b.covers(0));
    EXPECT_FALSE(b.covers(-1));
}

TEST(Backlog, CoversFollowsTrimming) {
    Fixture f(1000, 1);
    f.append_random(kBlock + 1000);  // exactly size + block: the first block is dropped
    const Backlog& b = f.b;
    ASSERT_EQ(b.first_offset(), 1 + static_cast<std::int64_t>(kBlock));
    EXPECT_TRUE(b.covers(b.first_offset()));
    EXPECT_FALSE(b.covers(b.first_offset() - 1));
    EXPECT_FALSE(b.covers(1));
    EXPECT_TRUE(b.covers(b.next_offset()));
    EXPECT_FALSE(b.covers(b.next_offset() + 1));
}

// ---- copy_from ----

TEST(Backlog, CopyFromEveryInterestingOffsetAcrossBlocks) {
    // Large size: nothing is trimmed, four blocks (the last one partial) are held.
    Fixture f(16 * kBlock, 1);
    f.append_random(3 * kBlock + kBlock / 2);
    ASSERT_TRUE(consistent(f, 16 * kBlock));
    std::vector<std::int64_t> offsets;
    for (std::size_t k = 0; k <= 3; ++k) {
        auto boundary = 1 + static_cast<std::int64_t>(k * kBlock);
        for (std::int64_t d : {-2, -1, 0, 1, 2}) {
            offsets.push_back(boundary + d);
        }
    }
    for (std::int64_t o : {std::int64_t{12345}, std::int64_t{99999}, std::int64_t{200001}}) {
        offsets.push_back(o);
    }
    offsets.push_back(f.end() - 1);  // the last byte only
    for (std::int64_t o : offsets) {
        if (!f.b.covers(o)) {
            ASSERT_LT(o, 1) << "offset " << o << " should be covered";
            continue;
        }
        std::string out;
        f.b.copy_from(o, out);
        EXPECT_TRUE(same_bytes(out, f.tail_from(o))) << "copy_from(" << o << ")";
    }
}

TEST(Backlog, CopyFromAppendsToWhatIsAlreadyInOut) {
    Fixture f(1 << 20, 1);
    f.append("abcdefgh");
    std::string out = "prefix:";
    f.b.copy_from(4, out);
    EXPECT_EQ(out, "prefix:defgh");
}

TEST(Backlog, CopyFromNextOffsetIsEmpty) {
    Fixture f(1000, 1);
    f.append_random(2 * kBlock + 17);  // trimmed: several blocks in, last one partial
    std::string out = "x";
    f.b.copy_from(f.b.next_offset(), out);
    EXPECT_EQ(out, "x");
    // With the last block exactly full as well.
    Fixture g(1 << 20, 1);
    g.append_random(2 * kBlock);
    out = "y";
    g.b.copy_from(g.b.next_offset(), out);
    EXPECT_EQ(out, "y");
}

TEST(Backlog, CopyFromAnUncoveredOffsetAddsNothing) {
    Fixture f(1000, 1);
    f.append_random(3 * kBlock);
    ASSERT_GT(f.b.first_offset(), 1);
    std::string out = "unchanged";
    f.b.copy_from(1, out);                       // trimmed away
    f.b.copy_from(f.b.first_offset() - 1, out);  // one before first
    f.b.copy_from(f.b.next_offset() + 1, out);   // one past next
    EXPECT_EQ(out, "unchanged");
}

// ---- trimming ----

TEST(Backlog, TrimsTheFirstBlockExactlyWhenTheRestHoldsSize) {
    const std::size_t size = 100000;
    Fixture f(size, 1);
    // size + block - 1 bytes: dropping the first block would leave size - 1 bytes; keep it.
    f.append_random(size + kBlock - 1);
    EXPECT_EQ(f.b.first_offset(), 1);
    EXPECT_EQ(f.b.histlen(), size + kBlock - 1);
    EXPECT_TRUE(consistent(f, size));
    // One more byte: the rest holds exactly `size` bytes, so the first block goes.
    f.append("z");
    EXPECT_EQ(f.b.first_offset(), 1 + static_cast<std::int64_t>(kBlock));
    EXPECT_EQ(f.b.histlen(), size);
    EXPECT_TRUE(consistent(f, size));
}

TEST(Backlog, HistoryNeverShrinksBelowSizeAndIsTheStreamsTail) {
    // Chunk sizes vary from tiny to several blocks; the invariants hold after every append.
    const std::size_t size = 3 * kBlock + 1234;
    Fixture f(size, 1);
    std::mt19937 gen(7);
    std::uniform_int_distribution<std::size_t> small(1, 300);
    std::uniform_int_distribution<std::size_t> large(kBlock / 2, 2 * kBlock + 77);
    std::size_t max_hist = 0;
    for (int i = 0; i < 400; ++i) {
        f.append_random(i % 10 == 0 ? large(gen) : small(gen));
        ASSERT_TRUE(consistent(f, size)) << "after append #" << i;
        max_hist = std::max(max_hist, f.b.histlen());
    }
    // Far more than size + block was appended, so trimming did happen.
    ASSERT_GT(f.stream.size(), 4 * (size + kBlock));
    EXPECT_GT(f.b.first_offset(), 1);
    EXPECT_LT(f.b.histlen(), f.stream.size());
    EXPECT_GE(max_hist, size);
}

TEST(Backlog, SmallSizeKeepsAtLeastSizeBytes) {
    // A size smaller than a block: what remains after trimming still holds `size` bytes, even if
    // the newest block is nearly empty (the previous, full block stays then).
    const std::size_t size = 1000;
    Fixture f(size, 1);
    f.append_random(2 * kBlock + 10);
    EXPECT_TRUE(consistent(f, size));
    EXPECT_EQ(f.b.first_offset(), 1 + static_cast<std::int64_t>(kBlock));
    EXPECT_EQ(f.b.histlen(), kBlock + 10);
    f.append_random(size - 10);  // the newest block now holds exactly `size` bytes
    EXPECT_TRUE(consistent(f, size));
    EXPECT_EQ(f.b.first_offset(), 1 + static_cast<std::int64_t>(2 * kBlock));
    EXPECT_EQ(f.b.histlen(), size);
}

TEST(Backlog, OneLargeChunkOfManyBlocks) {
    // One append of many blocks at once is split and trimmed like many appends.
    const std::size_t size = 1000;
    Fixture f(size, 5);
    f.append_random(5 * kBlock + 123);
    EXPECT_TRUE(consistent(f, size));
    // The last (partial) block alone is below size, so the last full one stays too.
    EXPECT_EQ(f.b.histlen(), kBlock + 123);
    EXPECT_EQ(f.b.first_offset(), 5 + static_cast<std::int64_t>(4 * kBlock));

    // A chunk far larger than size, with a size that is several blocks.
    const std::size_t big_size = 1 << 20;
    Fixture g(big_size, 1);
    g.append_random(3 * big_size + 999);
    EXPECT_TRUE(consistent(g, big_size));
    EXPECT_GE(g.b.histlen(), big_size);
    // Follow-up appends continue the same stream.
    g.append_random(kBlock + 1);
    EXPECT_TRUE(consistent(g, big_size));
}

TEST(Backlog, ManyTinyAppends) {
    const std::size_t size = 10000;
    Fixture f(size, 1);
    std::string bytes = random_bytes(5 * kBlock + 321, 99);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        f.append(std::string_view(bytes).substr(i, 1));
        // Offsets every time; content now and then (copying everything each byte is slow).
        ASSERT_TRUE(consistent(f, size, i % 4099 == 0)) << "after byte " << i;
    }
    EXPECT_TRUE(consistent(f, size));
    EXPECT_GT(f.b.first_offset(), 1);
    std::string out;
    f.b.copy_from(f.b.next_offset() - 3, out);
    EXPECT_EQ(out, bytes.substr(bytes.size() - 3));
}

// ---- resize ----

TEST(Backlog, ResizeShrinkTrimsAtOnce) {
    Fixture f(10 * kBlock, 1);
    f.append_random(10 * kBlock + 500);
    ASSERT_TRUE(consistent(f, 10 * kBlock));
    ASSERT_EQ(f.b.first_offset(), 1);  // nothing trimmed yet
    f.b.resize(1000);
    EXPECT_EQ(f.b.size(), 1000U);
    EXPECT_TRUE(consistent(f, 1000));
    EXPECT_EQ(f.b.histlen(), kBlock + 500);
    EXPECT_EQ(f.b.first_offset(), 1 + static_cast<std::int64_t>(9 * kBlock));
}

TEST(Backlog, ResizeGrowKeepsMoreFromNowOn) {
    Fixture f(1000, 1);
    f.append_random(4 * kBlock + 10);
    ASSERT_TRUE(consistent(f, 1000));
    const std::size_t before = f.b.histlen();
    const std::int64_t first_before = f.b.first_offset();
    f.b.resize(8 * kBlock);
    EXPECT_EQ(f.b.size(), 8 * kBlock);
    // Dropped bytes do not come back; nothing else changes.
    EXPECT_EQ(f.b.histlen(), before);
    EXPECT_EQ(f.b.first_offset(), first_before);
    // Appending now keeps everything up to the new size (+ the block slack).
    const std::size_t room = 9 * kBlock - 1 - before;
    f.append_random(room);
    EXPECT_EQ(f.b.first_offset(), first_before);
    EXPECT_EQ(f.b.histlen(), before + room);
    EXPECT_TRUE(consistent(f, 8 * kBlock));
    // And once past it, trimming resumes, never below the new size.
    f.append_random(3 * kBlock);
    EXPECT_GT(f.b.first_offset(), first_before);
    EXPECT_TRUE(consistent(f, 8 * kBlock));
}

// ---- hold_from ----

TEST(Backlog, HoldKeepsBytesBeyondSizeUntilReleased) {
    const std::size_t size = 1000;
    Fixture f(size, 1);
    Fixture unheld(size, 1);  // the same stream without a hold, for comparison
    f.append_random(777);
    unheld.append_random(777);
    const std::int64_t hold = f.b.next_offset();  // like a snapshot at the current offset
    f.b.hold_from(hold, 64 * kBlock);
    for (int i = 0; i < 6; ++i) {
        f.append_random(kBlock - 3);
        unheld.append_random(kBlock - 3);
        ASSERT_TRUE(f.b.covers(hold)) << "after chunk " << i;
        std::string out;
        f.b.copy_from(hold, out);
        ASSERT_TRUE(same_bytes(out, f.tail_from(hold))) << "after chunk " << i;
    }
    ASSERT_EQ(f.stream, unheld.stream);
    // Without the hold those bytes would be gone.
    EXPECT_FALSE(unheld.b.covers(hold));
    EXPECT_GT(f.b.histlen(), unheld.b.histlen());
    EXPECT_GE(f.b.histlen(), static_cast<std::size_t>(f.end() - hold));

    // Releasing the hold trims at once, back to what size alone keeps.
    f.b.hold_from(-1, 0);
    EXPECT_TRUE(consistent(f, size));
    EXPECT_EQ(f.b.first_offset(), unheld.b.first_offset());
    EXPECT_EQ(f.b.histlen(), unheld.b.histlen());
    EXPECT_FALSE(f.b.covers(hold));
}

TEST(Backlog, HoldOnlyKeepsBytesFromItsOffsetOn) {
    // Blocks wholly before the hold offset are trimmed as usual.
    const std::size_t size = 1000;
    Fixture f(size, 1);
    f.append_random(3 * kBlock + 100);
    const std::int64_t hold = f.b.next_offset() - 50;  // inside the newest block
    f.b.hold_from(hold, 64 * kBlock);
    EXPECT_TRUE(consistent(f, size));
    f.append_random(4 * kBlock);
    EXPECT_TRUE(f.b.covers(hold));
    // The block that holds `hold` is the first one kept.
    EXPECT_EQ(f.b.first_offset(), 1 + static_cast<std::int64_t>(3 * kBlock));
    std::string out;
    f.b.copy_from(hold, out);
    EXPECT_TRUE(same_bytes(out, f.tail_from(hold)));
}

TEST(Backlog, HoldOnAnOffsetAlreadyTrimmedCannotBringItBack) {
    const std::size_t size = 1000;
    const std::size_t max_bytes = 2 * kBlock;
    Fixture f(size, 1);
    f.append_random(3 * kBlock);
    ASSERT_FALSE(f.b.covers(1));
    const std::int64_t first = f.b.first_offset();
    f.b.hold_from(1, max_bytes);  // already gone
    EXPECT_FALSE(f.b.covers(1));
    EXPECT_EQ(f.b.first_offset(), first);
    for (int i = 0; i < 10; ++i) {
        f.append_random(kBlock / 2 + 5);
        ASSERT_FALSE(f.b.covers(1));
        // Whatever the (unsatisfiable) hold keeps stays bounded by max_bytes, to within a block.
        ASSERT_LT(f.b.histlen(), max_bytes + kBlock) << "after chunk " << i;
        ASSERT_GE(f.b.histlen(), size);
        std::string tail;
        f.b.copy_from(f.b.first_offset(), tail);
        ASSERT_TRUE(same_bytes(tail, f.tail_from(f.b.first_offset())));
    }
    f.b.hold_from(-1, 0);
    EXPECT_TRUE(consistent(f, size));
}

TEST(Backlog, HoldIsBoundedByMaxBytes) {
    const std::size_t size = 1000;
    const std::size_t max_bytes = 3 * kBlock;
    Fixture f(size, 1);
    f.append_random(kBlock);
    // The hold starts on a block boundary, so "every byte from the hold on" and "not more than
    // max_bytes in total" agree until the held bytes exceed max_bytes.
    const std::int64_t hold = f.b.next_offset();
    f.b.hold_from(hold, max_bytes);
    // While the bytes from the hold on fit in max_bytes, all of them stay.
    std::mt19937 gen(3);
    std::uniform_int_distribution<std::size_t> chunk(1, 5000);
    while (static_cast<std::size_t>(f.end() - hold) < max_bytes) {
        std::size_t n = std::min(chunk(gen), max_bytes - static_cast<std::size_t>(f.end() - hold));
        f.append_random(n);
        ASSERT_TRUE(f.b.covers(hold)) << (f.end() - hold) << " bytes held from the hold offset";
        if (static_cast<std::size_t>(f.end() - hold) >= size) {
            // The block before the hold offset is not needed (the rest holds `size`): gone.
            ASSERT_EQ(f.b.first_offset(), hold) << (f.end() - hold) << " bytes from the hold";
        }
    }
    ASSERT_EQ(static_cast<std::size_t>(f.end() - hold), max_bytes);
    std::string out;
    f.b.copy_from(hold, out);
    EXPECT_TRUE(same_bytes(out, f.tail_from(hold)));
    EXPECT_EQ(f.b.first_offset(), hold);

    // A full block more than max_bytes: the hold is broken.
    f.append_random(kBlock);
    EXPECT_FALSE(f.b.covers(hold));
    // From then on the backlog stays bounded by max_bytes (to within the block granularity
    // trimming works in), holds at least `size`, and still is the stream's tail.
    for (int i = 0; i < 20; ++i) {
        f.append_random(kBlock / 3 + static_cast<std::size_t>(i));
        ASSERT_LT(f.b.histlen(), max_bytes + kBlock) << "after chunk " << i;
        ASSERT_GE(f.b.histlen(), size);
        std::string tail;
        f.b.copy_from(f.b.first_offset(), tail);
        ASSERT_TRUE(same_bytes(tail, f.tail_from(f.b.first_offset()))) << "after chunk " << i;
    }
    // Release: back to size alone.
    f.b.hold_from(-1, 0);
    EXPECT_TRUE(consistent(f, size));
}

TEST(Backlog, HoldWithMaxBelowSizeChangesNothing) {
    // max_bytes below the configured size: the size rule alone decides.
    const std::size_t size = 2 * kBlock;
    Fixture f(size, 1);
    Fixture unheld(size, 1);
    f.b.hold_from(1, 100);
    for (int i = 0; i < 8; ++i) {
        f.append_random(kBlock / 2 + 11);
        unheld.append_random(kBlock / 2 + 11);
        ASSERT_TRUE(consistent(f, size));
        ASSERT_EQ(f.b.first_offset(), unheld.b.first_offset());
        ASSERT_EQ(f.b.histlen(), unheld.b.histlen());
    }
    EXPECT_FALSE(f.b.covers(1));
}

TEST(Backlog, HoldWhileShrinkingSizeStillKeepsHeldBytes) {
    Fixture f(8 * kBlock, 1);
    f.append_random(2 * kBlock + 5);
    const std::int64_t hold = 1 + static_cast<std::int64_t>(kBlock) + 17;
    f.b.hold_from(hold, 16 * kBlock);
    f.append_random(4 * kBlock);
    f.b.resize(1000);
    // The size shrank, but the held bytes (well under max_bytes) stay.
    EXPECT_TRUE(f.b.covers(hold));
    EXPECT_EQ(f.b.first_offset(), 1 + static_cast<std::int64_t>(kBlock));
    std::string out;
    f.b.copy_from(hold, out);
    EXPECT_TRUE(same_bytes(out, f.tail_from(hold)));
    f.b.hold_from(-1, 0);
    EXPECT_TRUE(consistent(f, 1000));
    EXPECT_FALSE(f.b.covers(hold));
}
