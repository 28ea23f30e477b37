#pragma once
namespace vigil::server {
// The Redis version whose behaviour vigil-server follows; reported as redis_version so that
// clients and sentinels that check versions treat us as a Redis 7.0 server.
inline constexpr const char* kRedisCompatVersion = "7.0.15";
inline constexpr const char* kVigilVersion = "0.1.0";
}  // namespace vigil::server
