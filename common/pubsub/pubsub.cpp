#include "common/pubsub/pubsub.hpp"

#include <cctype>

#include "common/resp/reply_writer.hpp"

namespace vigil::common {

bool PubSub::subscribe(Subscriber& s, std::string_view channel) {
    if (!s.channels.emplace(channel).second) {
        return false;
    }
    channels_[std::string(channel)].insert(&s);
    return true;
}

bool PubSub::unsubscribe(Subscriber& s, std::string_view channel) {
    auto it = s.channels.find(std::string(channel));
    if (it == s.channels.end()) {
        return false;
    }
    s.channels.erase(it);
    auto c = channels_.find(std::string(channel));
    if (c != channels_.end()) {
        c->second.erase(&s);
        if (c->second.empty()) {
            channels_.erase(c);
        }
    }
    return true;
}

bool PubSub::psubscribe(Subscriber& s, std::string_view pattern) {
    if (!s.patterns.emplace(pattern).second) {
        return false;
    }
    patterns_[std::string(pattern)].insert(&s);
    return true;
}

bool PubSub::punsubscribe(Subscriber& s, std::string_view pattern) {
    auto it = s.patterns.find(std::string(pattern));
    if (it == s.patterns.end()) {
        return false;
    }
    s.patterns.erase(it);
    auto p = patterns_.find(std::string(pattern));
    if (p != patterns_.end()) {
        p->second.erase(&s);
        if (p->second.empty()) {
            patterns_.erase(p);
        }
    }
    return true;
}

void PubSub::remove(Subscriber& s) {
    for (const auto& c : std::set<std::string>(s.channels)) {
        unsubscribe(s, c);
    }
    for (const auto& p : std::set<std::string>(s.patterns)) {
        punsubscribe(s, p);
    }
}

std::size_t PubSub::publish(std::string_view channel, std::string_view message) {
    std::size_t receivers = 0;
    std::string msg2;
    std::string msg3;
    auto render = [&](int proto) -> const std::string& {
        std::string& out = proto >= 3 ? msg3 : msg2;
        if (out.empty()) {
            ReplyWriter w(out, proto);
            w.push_header(3);
            w.bulk("message");
            w.bulk(channel);
            w.bulk(message);
        }
        return out;
    };
    if (auto it = channels_.find(std::string(channel)); it != channels_.end()) {
        for (Subscriber* s : it->second) {
            s->deliver_push(render(s->push_protocol()));
            ++receivers;
        }
    }
    for (const auto& [pattern, subs] : patterns_) {
        if (!glob_match(pattern, channel)) {
            continue;
        }
        for (Subscriber* s : subs) {
            std::string out;
            ReplyWriter w(out, s->push_protocol());
            w.push_header(4);
            w.bulk("pmessage");
            w.bulk(pattern);
            w.bulk(channel);
            w.bulk(message);
            s->deliver_push(out);
            ++receivers;
        }
    }
    return receivers;
}

std::vector<std::string> PubSub::channels(std::string_view pattern) const {
    std::vector<std::string> out;
    for (const auto& [name, subs] : channels_) {
        if (pattern.empty() || glob_match(pattern, name)) {
            out.push_back(name);
        }
    }
    return out;
}

std::size_t PubSub::numsub(std::string_view channel) const {
    auto it = channels_.find(std::string(channel));
    return it == channels_.end() ? 0 : it->second.size();
}

namespace {

char fold(char c, bool nocase) {
    return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
}

// Matches one character against the class that starts after '[' at p[i]. Returns whether it
// matched and sets `next` to the index after the closing ']' (or the end when unterminated).
bool match_class(std::string_view p, std::size_t i, char ch, bool nocase, std::size_t& next) {
    bool negate = i < p.size() && p[i] == '^';
    if (negate) {
        ++i;
    }
    bool match = false;
    const char c = fold(ch, nocase);
    while (i < p.size() && p[i] != ']') {
        if (p[i] == '\\' && i + 1 < p.size()) {
            ++i;
            match = match || fold(p[i], nocase) == c;
        } else if (i + 2 < p.size() && p[i + 1] == '-') {
            char lo = fold(p[i], nocase);
            char hi = fold(p[i + 2], nocase);
            if (lo > hi) {
                std::swap(lo, hi);
            }
            match = match || (c >= lo && c <= hi);
            i += 2;
        } else {
            match = match || fold(p[i], nocase) == c;
        }
        ++i;
    }
    next = i < p.size() ? i + 1 : p.size();
    return negate ? !match : match;
}

}  // namespace

// Iterative glob matching: on a mismatch, only the most recent '*' is retried one character
// further, so the work is bounded by pattern length x string length (no exponential
// backtracking on patterns like "*a*a*a*a*b").
bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
    std::size_t pi = 0;
    std::size_t si = 0;
    std::size_t star_p = std::string_view::npos;  // index of the last '*' seen
    std::size_t star_s = 0;                       // where in str that '*' resumes
    while (si < str.size()) {
        if (pi < pattern.size()) {
            char pc = pattern[pi];
            if (pc == '*') {
                star_p = pi++;
                star_s = si;
                continue;
            }
            if (pc == '?') {
                ++pi;
                ++si;
                continue;
            }
            if (pc == '[') {
                std::size_t next = 0;
                if (match_class(pattern, pi + 1, str[si], nocase, next)) {
                    pi = next;
                    ++si;
                    continue;
                }
            } else {
                if (pc == '\\' && pi + 1 < pattern.size()) {
                    ++pi;
                }
                if (fold(pattern[pi], nocase) == fold(str[si], nocase)) {
                    ++pi;
                    ++si;
                    continue;
                }
            }
        }
        if (star_p == std::string_view::npos) {
            return false;
        }
        pi = star_p + 1;
        si = ++star_s;
    }
    while (pi < pattern.size() && pattern[pi] == '*') {
        ++pi;
    }
    return pi == pattern.size();
}

}  // namespace vigil::common
