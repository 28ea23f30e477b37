#pragma once
// Command table rows and the context a handler runs with. Handlers are synchronous: they read the
// arguments, change the keyspace and write one reply through ctx.reply. They never format RESP.

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "common/resp/reply_writer.hpp"
#include "server/store/keyspace.hpp"

namespace vigil::server {

class Server;
struct ClientState;
struct CommandContext;

using Handler = void (*)(CommandContext&);

// Command flags: drive the dispatcher's generic rules (as Redis's command flags do).
enum CommandFlag : std::uint32_t {
    kWrite = 1U << 0,       // may modify the keyspace
    kReadOnly = 1U << 1,    // reads data
    kDenyOom = 1U << 2,     // refused when over maxmemory
    kAdmin = 1U << 3,       // administrative (CONFIG, DEBUG, SAVE, ...)
    kPubSub = 1U << 4,      // pub/sub command
    kNoScript = 1U << 5,    // not allowed in scripts
    kFast = 1U << 6,        // O(1) or O(log N)
    kLoading = 1U << 7,     // allowed while loading the dataset
    kStale = 1U << 8,       // allowed on a replica with a stale master link
    kNoAuth = 1U << 9,      // allowed before AUTH (AUTH, HELLO)
    kNoMulti = 1U << 10,    // not queued inside MULTI (executed at once)
    kAllowBusy = 1U << 11,  // allowed while busy
    kSkipSlowlog = 1U << 12,
    kMayReplicate = 1U << 13,
    kSentinel = 1U << 14,
    kNoMandatoryKeys = 1U << 15,
    kBlocking = 1U << 16,
};

struct CommandSpec {
    std::string_view name;  // lower case; "config|get" for subcommands
    int arity;              // N: exactly N args incl. the name; -N: at least N
    std::uint32_t flags;
    int first_key;  // 0 when the command has no key arguments
    int last_key;   // -1: the last argument
    int key_step;
    Handler handler;
    std::string_view acl_categories;  // "@write @string @slow" etc. (for COMMAND INFO and ACL)
    std::span<const CommandSpec> subcommands = {};
};

struct CommandContext {
    Server& server;
    ClientState& client;
    std::span<const std::string_view> args;
    common::ReplyWriter& reply;
    std::int64_t now_ms;  // Unix time in ms, read once per command
    const CommandSpec* spec = nullptr;
    // When a write must reach the AOF and replicas in another form than it arrived in (relative
    // expiry as absolute time, SPOP as SREM, INCRBYFLOAT as SET ... KEEPTTL), the handler puts
    // the commands to propagate here. Left empty, the command propagates as received.
    std::vector<std::vector<std::string>> propagate_as;
    bool suppress_propagation = false;  // the command changed nothing worth propagating

    Db& db();
    int db_index() const;
    Keyspace& keyspace();
    // Live node for key (lazy expiry), counting keyspace hits and misses.
    Db::Node* lookup_read(std::string_view key);
    // Live node for key (lazy expiry), no hit/miss counting.
    Db::Node* lookup_write(std::string_view key);
    // Like lookup_*, but replies WRONGTYPE and returns false when the key holds another type.
    // `node` is null when the key does not exist.
    bool lookup_typed(std::string_view key, ValueType t, Db::Node*& node, bool for_write);
    // Creates key holding a new empty value of type t (key must not exist).
    Db::Node* create(std::string_view key, ValueType t);
    // Records that key changed: WATCH invalidation, dirty counter, keyspace notifications.
    void modified(std::string_view key, std::uint64_t changes = 1);
    // Deletes key if its container is empty (after a pop/remove).
    void delete_if_empty(Db::Node* node);
};

}  // namespace vigil::server
