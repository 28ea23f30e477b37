#include "common/resp/request_parser.hpp"

#include <string>
#include <vector>

#include <gtest/gtest.h>

using vigil::common::ParseResult;
using vigil::common::ParseStatus;
using vigil::common::RequestParser;

namespace {

using Requests = std::vector<std::vector<std::string>>;

// Feeds `input` to a parser `fragment` bytes at a time, the way a socket would deliver it:
// the buffer grows by a fragment, the parser runs over the unconsumed part, complete requests
// are consumed from the front. Returns every request parsed (or stops at an error).
Requests feed(const std::string& input, std::size_t fragment, std::string* error = nullptr) {
    RequestParser parser;
    Requests out;
    std::string buffer;
    std::size_t fed = 0;
    while (fed < input.size()) {
        std::size_t n = std::min(fragment, input.size() - fed);
        buffer.append(input, fed, n);
        fed += n;
        for (;;) {
            ParseResult r = parser.parse(buffer);
            if (r.status == ParseStatus::need_more) {
                break;
            }
            if (r.status == ParseStatus::protocol_error) {
                if (error) {
                    *error = r.error_message;
                }
                return out;
            }
            if (!parser.args().empty()) {
                out.emplace_back(parser.args().begin(), parser.args().end());
            }
            buffer.erase(0, r.consumed);
            if (buffer.empty()) {
                break;
            }
        }
    }
    return out;
}

struct Case {
    std::string input;
    Requests expected;
};

const std::vector<Case>& cases() {
    static const std::vector<Case> kCases = {
        {"*1\r\n$4\r\nPING\r\n", {{"PING"}}},
        {"*3\r\n$3\r\nSET\r\n$1\r\nk\r\n$5\r\nhello\r\n", {{"SET", "k", "hello"}}},
        {"*2\r\n$3\r\nGET\r\n$0\r\n\r\n", {{"GET", ""}}},
        {std::string("*2\r\n$4\r\nECHO\r\n$5\r\na\r\nb\0\r\n", 25),
         {{"ECHO", std::string("a\r\nb\0", 5)}}},
        {"*1\r\n$4\r\nPING\r\n*1\r\n$4\r\nPING\r\n", {{"PING"}, {"PING"}}},
        {"PING\r\n", {{"PING"}}},
        {"PING\n", {{"PING"}}},
        {"set k \"a b\"\r\n", {{"set", "k", "a b"}}},
        {"set k 'it''\r\n", {}},  // unbalanced: error (checked in the table below)
        {"echo \"\\x41\\n\"\r\n", {{"echo", "A\n"}}},
        {"\r\n*1\r\n$4\r\nPING\r\n", {{"PING"}}},
        {"*0\r\n*1\r\n$4\r\nPING\r\n", {{"PING"}}},
        {"*-1\r\nPING\r\n", {{"PING"}}},
        {"  get   key  \r\n", {{"get", "key"}}},
    };
    return kCases;
}

}  // namespace

TEST(RequestParser, ParsesEveryInputAtEveryFragmentSize) {
    for (const auto& c : cases()) {
        if (c.input.find("'it''") != std::string::npos) {
            continue;
        }
        for (std::size_t frag : {std::size_t{1}, std::size_t{2}, std::size_t{3}, std::size_t{5},
                                 std::size_t{7}, c.input.size()}) {
            EXPECT_EQ(feed(c.input, frag), c.expected)
                << "input=" << testing::PrintToString(c.input) << " fragment=" << frag;
        }
    }
}

TEST(RequestParser, LargeBulkArrivesInPieces) {
    std::string payload(100000, 'x');
    std::string input = "*2\r\n$4\r\nECHO\r\n$100000\r\n" + payload + "\r\n";
    for (std::size_t frag : {std::size_t{1000}, std::size_t{16384}, input.size()}) {
        auto got = feed(input, frag);
        ASSERT_EQ(got.size(), 1U);
        EXPECT_EQ(got[0][1], payload);
    }
}

TEST(RequestParser, RejectsMalformedInput) {
    struct Bad {
        std::string input;
        std::string error;
    };
    const std::vector<Bad> bad = {
        {"*x\r\n", "ERR Protocol error: invalid multibulk length"},
        {"*1\r\n+PING\r\n", "ERR Protocol error: expected '$', got '+'"},
        {"*1\r\n$-5\r\n", "ERR Protocol error: invalid bulk length"},
        {"*1\r\n$abc\r\n", "ERR Protocol error: invalid bulk length"},
        {"*1\r\n$600000000\r\n", "ERR Protocol error: invalid bulk length"},
        {"*3000000000\r\n", "ERR Protocol error: invalid multibulk length"},
        {"set k \"abc\r\n", "ERR Protocol error: unbalanced quotes in request"},
        {"set k \"abc\"x\r\n", "ERR Protocol error: unbalanced quotes in request"},
        {"set k 'it''\r\n", "ERR Protocol error: unbalanced quotes in request"},
        {std::string(70000, 'a'), "ERR Protocol error: too big inline request"},
        {"*" + std::string(70000, '1'), "ERR Protocol error: too big mbulk count string"},
        {"*1\r\n$" + std::string(70000, '1'), "ERR Protocol error: too big bulk count string"},
    };
    for (const auto& b : bad) {
        for (std::size_t frag : {std::size_t{1}, std::size_t{4}, b.input.size()}) {
            std::string error;
            feed(b.input, frag, &error);
            EXPECT_EQ(error, b.error) << "input=" << b.input.substr(0, 40) << " frag=" << frag;
        }
    }
}

TEST(RequestParser, ArgsViewTheBuffer) {
    RequestParser parser;
    std::string buffer = "*2\r\n$3\r\nGET\r\n$3\r\nkey\r\n";
    auto r = parser.parse(buffer);
    ASSERT_EQ(r.status, ParseStatus::complete);
    EXPECT_EQ(r.consumed, buffer.size());
    ASSERT_EQ(parser.args().size(), 2U);
    EXPECT_EQ(parser.args()[1].data(), buffer.data() + 17);  // zero-copy
}

TEST(RequestParser, BufferMayMoveBetweenCalls) {
    RequestParser parser;
    std::string buffer = "*2\r\n$3\r\nGET\r\n$3\r\nk";
    ASSERT_EQ(parser.parse(buffer).status, ParseStatus::need_more);
    std::string moved = buffer + "ey\r\n";  // a different allocation
    buffer.clear();
    buffer.shrink_to_fit();
    auto r = parser.parse(moved);
    ASSERT_EQ(r.status, ParseStatus::complete);
    EXPECT_EQ(parser.args()[1], "key");
}

TEST(SplitArgs, HandlesQuotesAndEscapes) {
    std::vector<std::string> out;
    ASSERT_TRUE(vigil::common::split_args(R"(save "" 'a\'b' "x\ty" plain)", out));
    EXPECT_EQ(out, (std::vector<std::string>{"save", "", "a'b", "x\ty", "plain"}));
}
