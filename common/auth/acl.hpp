#pragma once
// A small ACL in Redis's model: named users with passwords (stored as SHA-256), on/off,
// command rules (+@all, -@all, +@category, +cmd, -cmd, +cmd|sub), key patterns (~pattern,
// allkeys) and channel patterns (&pattern, allchannels). Shared by both daemons; it knows
// nothing of their command tables except through the callbacks it is given.

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

namespace vigil::common {

struct AclUser {
    std::string name;
    bool enabled = false;
    bool nopass = false;
    std::vector<std::string> password_hashes;  // sha256 hex, in insertion order, no duplicates
    // Command rules in the order given, after the last +@all/-@all. base_all: the state before
    // the rules ("+@all" when true, "-@all" otherwise).
    bool base_all = false;
    std::vector<std::string> command_rules;  // "+get", "-@write", "+config|get"
    bool all_keys = false;
    std::vector<std::string> key_patterns;
    bool all_channels = false;
    std::vector<std::string> channel_patterns;

    // command: lower-case "get" or "config|get"; categories: space separated "@read @string".
    bool allows_command(std::string_view command, std::string_view categories) const;
    bool allows_key(std::string_view key) const;
    // For PSUBSCRIBE, `literal` is true: the pattern must be granted as such.
    bool allows_channel(std::string_view channel, bool literal) const;
    bool check_password(std::string_view password) const;
    // "user alice on #<hash> ~* &* +@all -set" (ACL LIST).
    std::string describe() const;
    std::string commands_description() const;  // "+@all -set"
    std::string keys_description() const;      // "~*" or "~a* ~b*" or ""
    std::string channels_description() const;  // "&*", "resetchannels", "&news"
};

class Acl {
public:
    // Validates a "+name"/"-name" target: a command ("get", "config|get") or category ("@read").
    using NameValidator = std::function<bool(std::string_view name, bool is_category)>;

    Acl();

    AclUser* find(std::string_view name);
    const AclUser* find(std::string_view name) const;
    const std::map<std::string, AclUser>& users() const { return users_; }

    // ACL SETUSER: creates the user if needed and applies rules in order. On a bad rule nothing
    // changes and the Redis error text is returned.
    std::optional<std::string> set_user(std::string_view name,
                                        const std::vector<std::string>& rules,
                                        const NameValidator& valid);
    bool delete_user(std::string_view name);  // false when absent
    // Username/password check (WRONGPASS when false).
    bool authenticate(std::string_view user, std::string_view password) const;
    // requirepass: sets the default user's single password ("" = nopass).
    void set_default_password(std::string_view password);

private:
    static std::optional<std::string> apply_rule(AclUser& u,
                                                 std::string_view rule,
                                                 const NameValidator& valid);
    std::map<std::string, AclUser> users_;
};

}  // namespace vigil::common
