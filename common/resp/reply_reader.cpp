#include "common/resp/reply_reader.hpp"

#include <new>
#include <string>

#include <hiredis/hiredis.h>
#include <hiredis/read.h>

namespace vigil::common {

namespace {

struct ReplyDeleter {
    void operator()(redisReply* reply) const noexcept { freeReplyObject(reply); }
};
using ReplyPtr = std::unique_ptr<redisReply, ReplyDeleter>;

// hiredis's default reply functions, except that createArray refuses more than
// kMaxArrayElements elements: hiredis 0.14 takes the NULL as out of memory and stops with an
// error before it allocates anything.
void* create_bounded_array(const redisReadTask* task, int elements);

struct BoundedFunctions {
    redisReplyObjectFunctions table{};
    void* (*create_array)(const redisReadTask*, int) = nullptr;  // hiredis's own
};

BoundedFunctions& bounded_functions() {
    static BoundedFunctions f = [] {
        BoundedFunctions out;
        redisReader* probe = redisReaderCreate();  // the only way to reach the default table
        if (probe == nullptr) {
            throw std::bad_alloc();
        }
        out.table = *probe->fn;
        redisReaderFree(probe);
        out.create_array = out.table.createArray;
        out.table.createArray = &create_bounded_array;
        return out;
    }();
    return f;
}

void* create_bounded_array(const redisReadTask* task, int elements) {
    if (elements > ReplyReader::kMaxArrayElements) {
        return nullptr;
    }
    return bounded_functions().create_array(task, elements);
}

// Recursion is bounded: hiredis 0.14 refuses more than 8 levels of nested arrays.
void convert(const redisReply& in, Reply& out) {
    out.str.clear();
    out.integer = 0;
    out.elements.clear();
    switch (in.type) {
        case REDIS_REPLY_STATUS:
            out.type = ReplyType::status;
            out.str.assign(in.str, in.len);
            break;
        case REDIS_REPLY_ERROR:
            out.type = ReplyType::error;
            out.str.assign(in.str, in.len);
            break;
        case REDIS_REPLY_INTEGER:
            out.type = ReplyType::integer;
            out.integer = in.integer;
            break;
        case REDIS_REPLY_STRING:
            out.type = ReplyType::bulk;
            out.str.assign(in.str, in.len);
            break;
        case REDIS_REPLY_ARRAY:
            out.type = ReplyType::array;
            out.elements.resize(in.elements);
            for (std::size_t i = 0; i < in.elements; ++i) {
                convert(*in.element[i], out.elements[i]);
            }
            break;
        case REDIS_REPLY_NIL:
        default:  // hiredis 0.14 makes no other type
            out.type = ReplyType::nil;
            break;
    }
}

}  // namespace

void ReplyReader::ReaderDeleter::operator()(redisReader* reader) const noexcept {
    redisReaderFree(reader);
}

ReplyReader::ReplyReader() : reader_(redisReaderCreateWithFunctions(&bounded_functions().table)) {
    if (!reader_) {
        throw std::bad_alloc();
    }
    // When bytes arrive and the buffer is fully consumed, hiredis frees it if more than maxbuf
    // bytes of it are unused, so a link that once read a multi-megabyte reply does not keep that
    // allocation forever. The default (16 KiB) is set explicitly to make it part of this class's
    // contract; 0 would mean "never free".
    reader_->maxbuf = REDIS_READER_MAX_BUF;
}

ReplyReader::~ReplyReader() = default;
ReplyReader::ReplyReader(ReplyReader&& other) noexcept = default;
ReplyReader& ReplyReader::operator=(ReplyReader&& other) noexcept = default;

void ReplyReader::feed(std::string_view bytes) {
    if (!reader_ || bytes.empty()) {
        return;
    }
    // REDIS_ERR here (out of memory, or an earlier error) stays set in the reader and is reported
    // by next(), so one place handles every failure.
    redisReaderFeed(reader_.get(), bytes.data(), bytes.size());
}

ReplyReader::Status ReplyReader::next(Reply& out) {
    if (!reader_) {
        return Status::protocol_error;
    }
    void* raw = nullptr;
    if (redisReaderGetReply(reader_.get(), &raw) != REDIS_OK) {
        return Status::protocol_error;
    }
    if (raw == nullptr) {
        return Status::need_more;
    }
    ReplyPtr reply(static_cast<redisReply*>(raw));
    convert(*reply, out);
    return Status::reply;
}

std::string ReplyReader::error() const {
    if (!reader_) {
        return "reply reader was moved from";
    }
    if (reader_->err == 0) {
        return {};
    }
    if (reader_->err == REDIS_ERR_OOM) {
        return "Out of memory, or an array of more than " + std::to_string(kMaxArrayElements) +
               " elements";
    }
    return reader_->errstr;
}

}  // namespace vigil::common
