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

bool glob_match_impl(
    const char* p, const char* pend, const char* s, const char* send, bool nocase, int depth) {
    if (depth > 1000) {
        return false;
    }
    auto lower = [nocase](char c) {
        return nocase ? static_cast<char>(std::tolower(static_cast<unsigned char>(c))) : c;
    };
    while (p < pend && s < send) {
        switch (*p) {
            case '*': {
                while (p + 1 < pend && p[1] == '*') {
                    ++p;
                }
                if (p + 1 == pend) {
                    return true;
                }
                while (s < send) {
                    if (glob_match_impl(p + 1, pend, s, send, nocase, depth + 1)) {
                        return true;
                    }
                    ++s;
                }
                return false;
            }
            case '?':
                ++s;
                break;
            case '[': {
                ++p;
                bool negate = p < pend && *p == '^';
                if (negate) {
                    ++p;
                }
                bool match = false;
                while (p < pend && *p != ']') {
                    if (*p == '\\' && p + 1 < pend) {
                        ++p;
                        if (lower(*p) == lower(*s)) {
                            match = true;
                        }
                    } else if (p + 2 < pend && p[1] == '-') {
                        char a = lower(p[0]);
                        char b = lower(p[2]);
                        if (a > b) {
                            std::swap(a, b);
                        }
                        char c = lower(*s);
                        if (c >= a && c <= b) {
                            match = true;
                        }
                        p += 2;
                    } else if (lower(*p) == lower(*s)) {
                        match = true;
                    }
                    ++p;
                }
                if (p >= pend) {
                    --p;  // unterminated class: treat as ending here (as Redis does)
                }
                if (negate) {
                    match = !match;
                }
                if (!match) {
                    return false;
                }
                ++s;
                break;
            }
            case '\\':
                if (p + 1 < pend) {
                    ++p;
                }
                [[fallthrough]];
            default:
                if (lower(*p) != lower(*s)) {
                    return false;
                }
                ++s;
                break;
        }
        ++p;
    }
    if (s == send) {
        while (p < pend && *p == '*') {
            ++p;
        }
        return p == pend;
    }
    return false;
}

}  // namespace

bool glob_match(std::string_view pattern, std::string_view str, bool nocase) {
    return glob_match_impl(pattern.data(), pattern.data() + pattern.size(), str.data(),
                           str.data() + str.size(), nocase, 0);
}

}  // namespace vigil::common
