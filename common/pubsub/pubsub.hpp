#pragma once
// Channels and patterns, shared by vigil-server and vigil-sentinel. Subscribers are opaque
// handles that know how to receive bytes; this class only does bookkeeping and message fan-out.

#include <cstddef>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace vigil::common {

class Subscriber {
public:
    virtual ~Subscriber() = default;
    virtual void deliver_push(std::string_view bytes) = 0;
    virtual int push_protocol() const = 0;  // 2 or 3
    std::set<std::string> channels;
    std::set<std::string> patterns;
    std::size_t subscription_count() const { return channels.size() + patterns.size(); }
};

class PubSub {
public:
    // Return true when newly subscribed.
    bool subscribe(Subscriber& s, std::string_view channel);
    bool unsubscribe(Subscriber& s, std::string_view channel);
    bool psubscribe(Subscriber& s, std::string_view pattern);
    bool punsubscribe(Subscriber& s, std::string_view pattern);
    void remove(Subscriber& s);  // drop every subscription (disconnect)

    // Delivers message to channel subscribers and matching pattern subscribers; returns the
    // number of receivers.
    std::size_t publish(std::string_view channel, std::string_view message);

    std::vector<std::string> channels(std::string_view pattern) const;  // active channels
    std::size_t numsub(std::string_view channel) const;
    std::size_t numpat() const { return patterns_.size(); }

private:
    std::unordered_map<std::string, std::set<Subscriber*>> channels_;
    std::map<std::string, std::set<Subscriber*>> patterns_;
};

// Redis's glob matching (stringmatchlen): * ? [abc] [^a] [a-z] and \ escapes.
bool glob_match(std::string_view pattern, std::string_view str, bool nocase = false);

}  // namespace vigil::common
