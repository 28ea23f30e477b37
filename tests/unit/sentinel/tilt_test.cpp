// TILT: entered on a clock jump (forwards past tilt-trigger, or backwards), restarted by a new
// jump, left after tilt-period. Driven tick by tick with test-controlled time.
#include "sentinel/core/tilt.hpp"

#include <gtest/gtest.h>

namespace vigil::sentinel {
namespace {

TEST(SentinelTilt, TheFirstTickNeverTilts) {
    TiltState tilt;
    std::vector<Event> ev;
    check_tilt(tilt, Timers{}, 1'000'000, ev);
    EXPECT_FALSE(tilt.active);
    EXPECT_EQ(tilt.previous_time, 1'000'000);
    EXPECT_TRUE(ev.empty());
}

TEST(SentinelTilt, AForwardJumpPastTheTriggerEntersTilt) {
    TiltState tilt;
    std::vector<Event> ev;
    check_tilt(tilt, Timers{}, 1000, ev);
    check_tilt(tilt, Timers{}, 3000, ev);  // exactly tilt-trigger: fine
    EXPECT_FALSE(tilt.active);
    EXPECT_TRUE(ev.empty());
    check_tilt(tilt, Timers{}, 5001, ev);
    EXPECT_TRUE(tilt.active);
    EXPECT_EQ(tilt.since, 5001);
    EXPECT_EQ(tilt.previous_time, 5001);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "+tilt");
    EXPECT_EQ(ev[0].text, "#tilt mode entered");
}

TEST(SentinelTilt, ABackwardJumpEntersTilt) {
    TiltState tilt;
    std::vector<Event> ev;
    check_tilt(tilt, Timers{}, 10'000, ev);
    check_tilt(tilt, Timers{}, 9'999, ev);
    EXPECT_TRUE(tilt.active);
    EXPECT_EQ(tilt.since, 9'999);
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "+tilt");
}

TEST(SentinelTilt, ANewTriggerRestartsThePeriodAndIsPublishedAgain) {
    const Timers t;
    TiltState tilt;
    std::vector<Event> ev;
    check_tilt(tilt, t, 1000, ev);
    check_tilt(tilt, t, 5001, ev);
    check_tilt(tilt, t, 6000, ev);  // a normal tick changes nothing
    EXPECT_EQ(tilt.since, 5001);
    check_tilt(tilt, t, 20'000, ev);
    EXPECT_EQ(tilt.since, 20'000);
    ASSERT_EQ(ev.size(), 2U);
    EXPECT_EQ(ev[1].type, "+tilt");
    ev.clear();
    EXPECT_TRUE(tilt_active(tilt, t, 35'001, ev)) << "30 s after the first trigger";
    EXPECT_TRUE(tilt_active(tilt, t, 49'999, ev));
    EXPECT_TRUE(ev.empty());
    EXPECT_FALSE(tilt_active(tilt, t, 50'000, ev));
    ASSERT_EQ(ev.size(), 1U);
    EXPECT_EQ(ev[0].type, "-tilt");
    EXPECT_EQ(ev[0].text, "#tilt mode exited");
}

TEST(SentinelTilt, ExitsOnceAfterThePeriod) {
    const Timers t;
    TiltState tilt;
    std::vector<Event> ev;
    EXPECT_FALSE(tilt_active(tilt, t, 0, ev)) << "never entered";
    EXPECT_TRUE(ev.empty());
    check_tilt(tilt, t, 100'000, ev);
    check_tilt(tilt, t, 90'000, ev);  // the clock went back 10 s
    ev.clear();
    EXPECT_TRUE(tilt_active(tilt, t, 119'999, ev));
    EXPECT_FALSE(tilt_active(tilt, t, 120'000, ev));
    EXPECT_FALSE(tilt_active(tilt, t, 120'001, ev));
    ASSERT_EQ(ev.size(), 1U) << "-tilt only once";
    EXPECT_EQ(ev[0].type, "-tilt");
    EXPECT_FALSE(tilt.active);
}

}  // namespace
}  // namespace vigil::sentinel
