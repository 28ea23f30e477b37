// SentinelService: construction, the front door's callbacks and the dispatcher (in redis 7.0's
// order of checks: existence, arity, authentication, ACL, pub/sub context).
#include "sentinel/io/service.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <limits>
#include <stdexcept>

namespace vigil::sentinel {

namespace {

// The 21 ACL categories of Redis 7.0, in ACL CAT's order.
constexpr std::array<std::string_view, 21> kAclCategories = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting"};

bool arity_ok(int arity, std::size_t argc) {
    const auto n = static_cast<long long>(argc);
    return arity >= 0 ? n == arity : n >= -static_cast<long long>(arity);
}

std::string upper(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    }
    return out;
}

// "ERR unknown command 'x', with args beginning with: 'a' 'b' ": arguments are added while the
// list is shorter than 128 bytes, each cut to what is left of the 128 (as redis 7.0 does).
std::string unknown_command_error(std::span<const std::string_view> args) {
    std::string list;
    for (std::size_t i = 1; i < args.size() && list.size() < 128; ++i) {
        list += '\'';
        list.append(args[i].substr(0, 128 - list.size() + 1));
        list += "' ";
    }
    std::string msg = "ERR unknown command '";
    msg.append(args[0].substr(0, 128));
    msg += "', with args beginning with: ";
    msg += list;
    return msg;
}

}  // namespace

// ---- helpers ----

std::string SentinelService::lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool SentinelService::iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

bool SentinelService::parse_ll(std::string_view s, long long& out) {
    if (s.empty() || s.size() > 20) {
        return false;
    }
    if (s == "0") {
        out = 0;
        return true;
    }
    bool negative = false;
    std::size_t i = 0;
    if (s[0] == '-') {
        negative = true;
        i = 1;
    }
    if (i >= s.size() || s[i] < '1' || s[i] > '9') {
        return false;
    }
    unsigned long long v = 0;
    for (; i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            return false;
        }
        const unsigned digit = static_cast<unsigned>(s[i] - '0');
        if (v > (std::numeric_limits<unsigned long long>::max() - digit) / 10) {
            return false;
        }
        v = v * 10 + digit;
    }
    constexpr auto kMax = static_cast<unsigned long long>(std::numeric_limits<long long>::max());
    if (negative) {
        if (v > kMax + 1) {
            return false;
        }
        out = v == kMax + 1 ? std::numeric_limits<long long>::min() : -static_cast<long long>(v);
    } else {
        if (v > kMax) {
            return false;
        }
        out = static_cast<long long>(v);
    }
    return true;
}

std::span<const std::string_view> SentinelService::acl_categories() {
    return kAclCategories;
}

void SentinelService::reply_help(common::ReplyWriter& reply,
                                 std::span<const std::string_view> lines) {
    reply.array_header(lines.size());
    for (std::string_view l : lines) {
        reply.simple(l);
    }
}

void SentinelService::subcommand_syntax_error(Call& call) {
    call.reply.error("ERR unknown subcommand or wrong number of arguments for '" +
                     std::string(call.args[1].substr(0, 128)) + "'. Try " + upper(call.args[0]) +
                     " HELP.");
}

// ---- construction ----

SentinelService::SentinelService(SentinelCore& core, ServiceHooks hooks, ServiceSettings settings)
    : core_(core), hooks_(std::move(hooks)), settings_(std::move(settings)) {
    for (const CommandDef& def : command_table()) {
        names_.emplace(std::string(def.name), &def);
    }
    for (const auto& [from, to] : settings_.renamed_commands) {
        auto it = names_.find(lower(from));
        if (it == names_.end()) {
            throw std::invalid_argument("No such command in rename-command");
        }
        const CommandDef* def = it->second;
        names_.erase(it);
        if (!to.empty() && !names_.emplace(lower(to), def).second) {
            throw std::invalid_argument("Target command name already exists");
        }
    }
    acl_.set_default_password(settings_.requirepass);
    auto valid = [this](std::string_view name, bool is_category) {
        return valid_acl_name(name, is_category);
    };
    for (const auto& line : settings_.users) {
        if (line.empty()) {
            continue;
        }
        std::vector<std::string> rules(line.begin() + 1, line.end());
        if (auto error = acl_.set_user(line[0], rules, valid)) {
            std::string why = *error;
            if (why.rfind("ERR ", 0) == 0) {
                why.erase(0, 4);
            }
            throw std::invalid_argument("Error in user declaration '" + line[0] + "': " + why);
        }
    }
}

SentinelService::~SentinelService() = default;

bool SentinelService::valid_acl_name(std::string_view name, bool is_category) const {
    if (is_category) {
        return std::find(kAclCategories.begin(), kAclCategories.end(), name) !=
               kAclCategories.end();
    }
    // Rules name commands by their original names, renamed or not (as Redis's orig_commands).
    const std::string_view parent = name.substr(0, name.find('|'));
    for (const CommandDef& def : command_table()) {
        if (def.name != parent) {
            continue;
        }
        if (parent.size() == name.size()) {
            return true;
        }
        if (def.subcommands == nullptr) {
            return false;
        }
        for (const CommandDef& sub : def.subcommands()) {
            if (sub.name == name) {
                return true;
            }
        }
        return false;
    }
    return false;
}

Ms SentinelService::now() const {
    return hooks_.now ? hooks_.now() : 0;
}

void SentinelService::perform(Actions& actions) {
    if (hooks_.perform) {
        hooks_.perform(actions);
    }
}

bool SentinelService::save_config(Actions& actions) {
    if (!hooks_.save_config) {
        actions.flush_config = true;  // left to perform()
        return true;
    }
    actions.flush_config = false;  // saved here, not again by perform()
    return hooks_.save_config();
}

// ---- common::Service ----

std::unique_ptr<common::ClientContext> SentinelService::on_connect(common::Connection& conn,
                                                                   std::string& out) {
    ++stats_.connections_received;
    if (clients_.size() >= settings_.maxclients) {
        ++stats_.rejected_connections;
        out.append("-ERR max number of clients reached\r\n");
        return nullptr;
    }
    auto c = std::make_unique<Client>();
    c->conn = &conn;
    c->id = next_client_id_++;
    c->created = now();
    c->last_interaction = c->created;
    const common::AclUser* def = acl_.find("default");
    c->authenticated = def != nullptr && def->enabled && def->nopass;
    clients_.emplace(c->id, c.get());
    return c;
}

void SentinelService::on_protocol_error(common::ClientContext&) {
    ++stats_.error_replies;
}

void SentinelService::on_input(common::ClientContext& ctx,
                               std::size_t bytes,
                               std::size_t buffered) {
    auto& c = static_cast<Client&>(ctx);
    stats_.net_input_bytes += bytes;
    ++stats_.reads_processed;
    c.query_buffer = buffered;
}

void SentinelService::on_disconnect(common::ClientContext& ctx) {
    auto& c = static_cast<Client&>(ctx);
    pubsub_.remove(c);
    clients_.erase(c.id);
    c.conn = nullptr;
}

std::chrono::milliseconds SentinelService::wait_timeout(const common::ClientContext&) const {
    return std::chrono::milliseconds(std::clamp<Ms>(pause_end_ - now(), 1, 100));
}

void SentinelService::Client::deliver_push(std::string_view bytes) {
    if (conn == nullptr || reply_off) {
        return;
    }
    conn->deliver(bytes);
}

void SentinelService::publish_event(const Event& event) {
    if (event_level(event.type) == LogLevel::debug) {
        return;  // debug events are logged only
    }
    pubsub_.publish(event.type, event.text);
}

common::ExecStatus SentinelService::execute(common::ClientContext& ctx,
                                            std::span<const std::string_view> args,
                                            std::string& out) {
    auto& c = static_cast<Client&>(ctx);
    const Ms t = now();
    if (pause_end_ > t) {
        return common::ExecStatus::wait;  // CLIENT PAUSE: every command waits, as in Redis
    }
    c.last_interaction = t;
    const std::size_t before = out.size();
    common::ReplyWriter reply(out, c.protocol);
    const bool skip = c.reply_skip;
    c.reply_skip = false;
    dispatch(c, args, reply, t);
    if (c.reply_skip_next) {
        c.reply_skip_next = false;
        c.reply_skip = true;
    }
    stats_.error_replies += reply.error_count();
    if (c.reply_off || skip) {
        out.resize(before);
    }
    stats_.net_output_bytes += out.size() - before;
    return common::ExecStatus::done;
}

const SentinelService::CommandDef* SentinelService::lookup(std::string_view name) const {
    auto it = names_.find(lower(name));
    return it == names_.end() ? nullptr : it->second;
}

bool SentinelService::needs_auth(const Client& client) const {
    if (client.authenticated) {
        return false;
    }
    const common::AclUser* def = acl_.find("default");
    return def == nullptr || !def->enabled || !def->nopass;
}

std::string SentinelService::acl_denial(const Client& c,
                                        const CommandDef& def,
                                        std::span<const std::string_view> args) const {
    if ((def.flags & kNoAuth) != 0) {
        return "";  // AUTH and HELLO are allowed to everyone, as in Redis
    }
    const common::AclUser* user = acl_.find(c.user);
    if (user == nullptr || !user->allows_command(def.name, def.categories)) {
        return "NOPERM this user has no permissions to run the '" + std::string(def.name) +
               "' command";
    }
    if (user->all_channels) {
        return "";
    }
    std::span<const std::string_view> channels;
    bool literal = false;
    if (def.name == "publish") {
        channels = args.subspan(1, 1);
    } else if (def.name == "subscribe") {
        channels = args.subspan(1);
    } else if (def.name == "psubscribe") {
        channels = args.subspan(1);
        literal = true;
    }
    for (std::string_view ch : channels) {
        if (!user->allows_channel(ch, literal)) {
            return "NOPERM this user has no permissions to access one of the channels used as "
                   "arguments";
        }
    }
    return "";
}

void SentinelService::dispatch(Client& c,
                               std::span<const std::string_view> args,
                               common::ReplyWriter& reply,
                               Ms now) {
    ++stats_.commands_processed;
    const CommandDef* def = lookup(args[0]);
    if (def == nullptr) {
        reply.error(unknown_command_error(args));
        return;
    }
    if (def->subcommands != nullptr && args.size() >= 2) {
        const CommandDef* sub = nullptr;
        const std::string name = std::string(def->name) + "|" + lower(args[1]);
        for (const CommandDef& s : def->subcommands()) {
            if (s.name == name) {
                sub = &s;
                break;
            }
        }
        if (sub == nullptr) {
            reply.error("ERR unknown subcommand '" + std::string(args[1].substr(0, 128)) +
                        "'. Try " + upper(args[0]) + " HELP.");
            return;
        }
        def = sub;
    }
    if (!arity_ok(def->arity, args.size())) {
        reply.error("ERR wrong number of arguments for '" + std::string(def->name) + "' command");
        return;
    }
    if ((def->flags & kNoAuth) == 0 && needs_auth(c)) {
        reply.error("NOAUTH Authentication required.");
        return;
    }
    if (std::string denied = acl_denial(c, *def, args); !denied.empty()) {
        reply.error(denied);
        return;
    }
    if (c.in_pubsub_mode() && c.protocol < 3) {
        static constexpr std::array<std::string_view, 5> kAllowed = {
            "ping", "subscribe", "unsubscribe", "psubscribe", "punsubscribe"};
        if (std::find(kAllowed.begin(), kAllowed.end(), def->name) == kAllowed.end()) {
            reply.error("ERR Can't execute '" + std::string(def->name) +
                        "': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / RESET are "
                        "allowed in this context");
            return;
        }
    }
    c.last_command = std::string(def->name);
    Call call{*this, c, args, reply, now, *def};
    def->handler(call);
}

}  // namespace vigil::sentinel
