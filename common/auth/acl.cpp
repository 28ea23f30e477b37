#include "common/auth/acl.hpp"

#include <algorithm>
#include <cctype>

#include "common/auth/sha256.hpp"
#include "common/pubsub/pubsub.hpp"

namespace vigil::common {
namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool has_category(std::string_view categories, std::string_view cat) {
    std::size_t pos = 0;
    while ((pos = categories.find(cat, pos)) != std::string_view::npos) {
        std::size_t end = pos + cat.size();
        if ((pos == 0 || categories[pos - 1] == ' ') &&
            (end == categories.size() || categories[end] == ' ')) {
            return true;
        }
        pos = end;
    }
    return false;
}

}  // namespace

bool AclUser::allows_command(std::string_view command, std::string_view categories) const {
    bool allowed = base_all;
    std::string_view parent = command.substr(0, command.find('|'));
    for (const std::string& rule : command_rules) {
        bool plus = rule[0] == '+';
        std::string_view target = std::string_view(rule).substr(1);
        bool match = false;
        if (!target.empty() && target[0] == '@') {
            match = target == "@all" || has_category(categories, target);
        } else if (target.find('|') != std::string_view::npos) {
            match = target == command;
        } else {
            match = target == parent;
        }
        if (match) {
            allowed = plus;
        }
    }
    return allowed;
}

bool AclUser::allows_key(std::string_view key) const {
    if (all_keys) {
        return true;
    }
    return std::any_of(key_patterns.begin(), key_patterns.end(),
                       [&](const std::string& p) { return glob_match(p, key); });
}

bool AclUser::allows_channel(std::string_view channel, bool literal) const {
    if (all_channels) {
        return true;
    }
    return std::any_of(channel_patterns.begin(), channel_patterns.end(), [&](const auto& p) {
        return literal ? p == channel : glob_match(p, channel);
    });
}

bool AclUser::check_password(std::string_view password) const {
    if (nopass) {
        return true;
    }
    std::string h = sha256_hex(password);
    return std::find(password_hashes.begin(), password_hashes.end(), h) != password_hashes.end();
}

std::string AclUser::commands_description() const {
    std::string s = base_all ? "+@all" : "-@all";
    for (const auto& r : command_rules) {
        s += ' ';
        s += r;
    }
    return s;
}

std::string AclUser::keys_description() const {
    if (all_keys) {
        return "~*";
    }
    std::string s;
    for (const auto& p : key_patterns) {
        if (!s.empty()) {
            s += ' ';
        }
        s += "~" + p;
    }
    return s;
}

std::string AclUser::channels_description() const {
    if (all_channels) {
        return "&*";
    }
    if (channel_patterns.empty()) {
        return "resetchannels";
    }
    std::string s;
    for (const auto& p : channel_patterns) {
        if (!s.empty()) {
            s += ' ';
        }
        s += "&" + p;
    }
    return s;
}

std::string AclUser::describe() const {
    std::string s = "user " + name + (enabled ? " on" : " off");
    if (nopass) {
        s += " nopass";
    }
    for (const auto& h : password_hashes) {
        s += " #" + h;
    }
    std::string keys = keys_description();
    if (!keys.empty()) {
        s += " " + keys;
    }
    s += " " + channels_description();
    s += " " + commands_description();
    return s;
}

Acl::Acl() {
    AclUser def;
    def.name = "default";
    def.enabled = true;
    def.nopass = true;
    def.base_all = true;
    def.all_keys = true;
    def.all_channels = true;
    users_.emplace("default", std::move(def));
}

AclUser* Acl::find(std::string_view name) {
    auto it = users_.find(std::string(name));
    return it == users_.end() ? nullptr : &it->second;
}

const AclUser* Acl::find(std::string_view name) const {
    auto it = users_.find(std::string(name));
    return it == users_.end() ? nullptr : &it->second;
}

std::optional<std::string> Acl::apply_rule(AclUser& u,
                                           std::string_view rule,
                                           const NameValidator& valid) {
    auto syntax = [&](std::string_view why = "Syntax error") {
        return "ERR Error in ACL SETUSER modifier '" + std::string(rule) + "': " + std::string(why);
    };
    std::string r = lower(rule);
    if (r == "on") {
        u.enabled = true;
    } else if (r == "off") {
        u.enabled = false;
    } else if (r == "nopass") {
        u.nopass = true;
        u.password_hashes.clear();
    } else if (r == "resetpass") {
        u.nopass = false;
        u.password_hashes.clear();
    } else if (r == "allkeys" || r == "~*") {
        u.all_keys = true;
        u.key_patterns.clear();
    } else if (r == "resetkeys") {
        u.all_keys = false;
        u.key_patterns.clear();
    } else if (r == "allchannels" || r == "&*") {
        u.all_channels = true;
        u.channel_patterns.clear();
    } else if (r == "resetchannels") {
        u.all_channels = false;
        u.channel_patterns.clear();
    } else if (r == "allcommands" || r == "+@all") {
        u.base_all = true;
        u.command_rules.clear();
    } else if (r == "nocommands" || r == "-@all") {
        u.base_all = false;
        u.command_rules.clear();
    } else if (r == "reset") {
        u.enabled = false;
        u.nopass = false;
        u.password_hashes.clear();
        u.base_all = false;
        u.command_rules.clear();
        u.all_keys = false;
        u.key_patterns.clear();
        u.all_channels = false;
        u.channel_patterns.clear();
    } else if (!rule.empty() && rule[0] == '>') {
        std::string h = sha256_hex(rule.substr(1));
        if (std::find(u.password_hashes.begin(), u.password_hashes.end(), h) ==
            u.password_hashes.end()) {
            u.password_hashes.push_back(h);
        }
        u.nopass = false;
    } else if (!rule.empty() && rule[0] == '<') {
        std::string h = sha256_hex(rule.substr(1));
        auto it = std::find(u.password_hashes.begin(), u.password_hashes.end(), h);
        if (it == u.password_hashes.end()) {
            return syntax("no such password");
        }
        u.password_hashes.erase(it);
    } else if (!rule.empty() && rule[0] == '#') {
        std::string h = lower(rule.substr(1));
        if (h.size() != 64 || h.find_first_not_of("0123456789abcdef") != std::string::npos) {
            return syntax(
                "The password hash must be exactly 64 characters and contain only "
                "lowercase hexadecimal characters");
        }
        if (std::find(u.password_hashes.begin(), u.password_hashes.end(), h) ==
            u.password_hashes.end()) {
            u.password_hashes.push_back(h);
        }
        u.nopass = false;
    } else if (!rule.empty() && rule[0] == '!') {
        auto it =
            std::find(u.password_hashes.begin(), u.password_hashes.end(), lower(rule.substr(1)));
        if (it == u.password_hashes.end()) {
            return syntax("no such password");
        }
        u.password_hashes.erase(it);
    } else if (!rule.empty() && rule[0] == '~') {
        if (u.all_keys) {
            return syntax(
                "Adding a pattern after the * pattern (or the 'allkeys' flag) is not "
                "valid and does not have any effect. Try 'resetkeys' to start with an "
                "empty list of patterns");
        }
        u.key_patterns.emplace_back(rule.substr(1));
    } else if (!rule.empty() && rule[0] == '&') {
        if (u.all_channels) {
            return syntax(
                "Adding a pattern after the * pattern (or the 'allchannels' flag) is "
                "not valid and does not have any effect. Try 'resetchannels' to start "
                "with an empty list of channels");
        }
        u.channel_patterns.emplace_back(rule.substr(1));
    } else if (!rule.empty() && (rule[0] == '+' || rule[0] == '-')) {
        std::string target = r.substr(1);
        bool category = !target.empty() && target[0] == '@';
        if (target.empty() ||
            !valid(category ? std::string_view(target).substr(1) : target, category)) {
            return syntax("Unknown command or category name in ACL");
        }
        u.command_rules.push_back(r);
    } else {
        return syntax();
    }
    return std::nullopt;
}

std::optional<std::string> Acl::set_user(std::string_view name,
                                         const std::vector<std::string>& rules,
                                         const NameValidator& valid) {
    AclUser candidate;
    if (const AclUser* existing = find(name)) {
        candidate = *existing;
    } else {
        candidate.name = std::string(name);
    }
    for (const auto& rule : rules) {
        if (auto error = apply_rule(candidate, rule, valid)) {
            return error;
        }
    }
    users_[std::string(name)] = std::move(candidate);
    return std::nullopt;
}

bool Acl::delete_user(std::string_view name) {
    return users_.erase(std::string(name)) > 0;
}

bool Acl::authenticate(std::string_view user, std::string_view password) const {
    const AclUser* u = find(user);
    return u != nullptr && u->enabled && u->check_password(password);
}

void Acl::set_default_password(std::string_view password) {
    AclUser* def = find("default");
    def->password_hashes.clear();
    if (password.empty()) {
        def->nopass = true;
    } else {
        def->nopass = false;
        def->password_hashes.push_back(sha256_hex(password));
    }
}

}  // namespace vigil::common
