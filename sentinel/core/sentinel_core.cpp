// The sentinel's decision core (instances, failure detection, election, failover) lives here.
// It is built by the sentinel issue; this translation unit keeps the library target in place.
namespace vigil::sentinel {}
