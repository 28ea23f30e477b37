#include "server/commands/command_table.hpp"

#include <algorithm>
#include <cctype>

namespace vigil::server {

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    }
    return out;
}

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

CommandTable::CommandTable() {
    for (auto family : {string_commands(), key_commands(), hash_commands(), list_commands(),
                        set_commands(), zset_commands(), server_commands(), pubsub_commands(),
                        transaction_commands(), connection_commands(), config_commands(),
                        persistence_commands(), acl_commands(), replication_commands()}) {
        for (const CommandSpec& spec : family) {
            by_name_.emplace(std::string(spec.name), &spec);
            all_.push_back(&spec);
        }
    }
}

const CommandSpec* CommandTable::find(std::string_view name) const {
    if (name.size() > 64) {
        return nullptr;
    }
    char buf[64];
    for (std::size_t i = 0; i < name.size(); ++i) {
        buf[i] = static_cast<char>(std::tolower(static_cast<unsigned char>(name[i])));
    }
    auto it = by_name_.find(std::string(buf, name.size()));
    return it == by_name_.end() ? nullptr : it->second;
}

bool CommandTable::rename(std::string_view from, std::string_view to) {
    auto it = by_name_.find(to_lower(from));
    if (it == by_name_.end()) {
        return false;
    }
    const CommandSpec* spec = it->second;
    by_name_.erase(it);
    if (!to.empty()) {
        by_name_[to_lower(to)] = spec;
    }
    return true;
}

const CommandSpec* CommandTable::find_sub(const CommandSpec& parent, std::string_view name) {
    for (const CommandSpec& sub : parent.subcommands) {
        auto bar = sub.name.find('|');
        std::string_view short_name =
            bar == std::string_view::npos ? sub.name : sub.name.substr(bar + 1);
        if (iequals(short_name, name)) {
            return &sub;
        }
    }
    return nullptr;
}

}  // namespace vigil::server
