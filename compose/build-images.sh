#!/usr/bin/env bash
# compose/build-images.sh [--system vigil|redis|all]
#
# The offline image path (no registry needed; what CI uses). Builds, from files already on this
# machine, small images for the drill topology:
#
#   vigil:local  vigil-server and vigil-sentinel (the release build), redis-cli
#   redis:local  Debian's redis-server / redis-sentinel 7.0.15, redis-cli (the comparison)
#
# Each image is a root filesystem made here and loaded with `docker import`: the binaries, exactly
# the shared libraries `ldd` lists for them (and the dynamic loader), a static busybox for /bin/sh
# and the usual small tools, getent, dnsmasq (the NXDOMAIN answerer of docker-compose.yml, see
# config/local-dns.sh), and a few files of /etc. Both images have the same entry points, so
# docker-compose.yml needs nothing but the image name:
#
#   server ARGS...     vigil-server ARGS... | redis-server ARGS...
#   sentinel ARGS...   vigil-sentinel ARGS... | redis-sentinel ARGS...
#
# Environment:
#   VIGIL_SERVER, VIGIL_SENTINEL  the binaries to put in vigil:local (default: build/release/...,
#                                 built with `cmake --build --preset release -j1` when missing)
#   VIGIL_IMAGE_TAG, REDIS_IMAGE_TAG   image names (default vigil:local, redis:local)
#   VIGIL_IMAGE_WORK              staging directory (default build/images)
#   VIGIL_BUILD_TIMEOUT           seconds allowed for the release build (default 3600)
#
# Idempotent: the root filesystem is packed reproducibly and its sha256 is stored as a label; an
# image whose label matches is left as it is. Every step is bounded in time.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(dirname "$here")

system=all
while [ $# -gt 0 ]; do
    case "$1" in
        --system) system="${2:-}"; shift 2 ;;
        --system=*) system="${1#--system=}"; shift ;;
        -h|--help) sed -n '2,27p' "${BASH_SOURCE[0]}" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "build-images.sh: unknown argument: $1" >&2; exit 2 ;;
    esac
done
case "$system" in
    vigil|redis|all) ;;
    *) echo "build-images.sh: --system must be vigil, redis or all" >&2; exit 2 ;;
esac

vigil_tag=${VIGIL_IMAGE_TAG:-vigil:local}
redis_tag=${REDIS_IMAGE_TAG:-redis:local}
work=${VIGIL_IMAGE_WORK:-$repo/build/images}
build_timeout=${VIGIL_BUILD_TIMEOUT:-3600}
label=org.vigil.rootfs-sha256

sudo=()
[ "$(id -u)" -eq 0 ] || sudo=(sudo)

log() { echo "build-images: $*" >&2; }
die() { echo "build-images: error: $*" >&2; exit 1; }

# --- host prerequisites -------------------------------------------------------------------------

apt_updated=0
apt_update_once() {
    if [ "$apt_updated" -eq 0 ]; then
        timeout 300 "${sudo[@]}" apt-get update -qq </dev/null
        apt_updated=1
    fi
}

# ensure_packages PKG...: installs the Debian packages that are missing.
ensure_packages() {
    local missing=() p
    for p in "$@"; do
        dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
            missing+=("$p")
    done
    [ "${#missing[@]}" -eq 0 ] && return 0
    log "installing ${missing[*]}"
    apt_update_once
    DEBIAN_FRONTEND=noninteractive timeout 600 "${sudo[@]}" \
        apt-get install -y -q --no-install-recommends "${missing[@]}" </dev/null >/dev/null
}

ensure_docker() {
    "$here/ensure-docker.sh" || die "no Docker engine answers 'docker info' (compose/ensure-docker.sh)"
}

# A static busybox (Debian's busybox-static, unpacked, not installed) for /bin/sh and friends.
busybox_binary() {
    local dir="$work/cache/busybox"
    if [ ! -x "$dir/bin/busybox" ]; then
        local tmp
        tmp=$(mktemp -d)
        chmod 755 "$tmp"  # apt's _apt user downloads into it
        if ! (cd "$tmp" && timeout 120 apt-get download -q busybox-static >/dev/null 2>&1); then
            apt_update_once
            (cd "$tmp" && timeout 120 apt-get download -q busybox-static >/dev/null) ||
                { rm -rf "$tmp"; die "apt-get download busybox-static failed"; }
        fi
        rm -rf "$dir"
        mkdir -p "$dir"
        dpkg-deb -x "$tmp"/busybox-static_*.deb "$dir"
        rm -rf "$tmp"
    fi
    echo "$dir/bin/busybox"
}

# The release binaries (or VIGIL_SERVER / VIGIL_SENTINEL), built when missing.
vigil_binaries() {
    vigil_server=${VIGIL_SERVER:-$repo/build/release/server/vigil-server}
    vigil_sentinel=${VIGIL_SENTINEL:-$repo/build/release/sentinel/vigil-sentinel}
    if [ -x "$vigil_server" ] && [ -x "$vigil_sentinel" ]; then
        return 0
    fi
    if [ -n "${VIGIL_SERVER:-}" ] || [ -n "${VIGIL_SENTINEL:-}" ]; then
        die "VIGIL_SERVER/VIGIL_SENTINEL: $vigil_server or $vigil_sentinel is not an executable"
    fi
    log "release binaries missing: building them (-j1, at most ${build_timeout}s)"
    "$repo/scripts/install-deps.sh" >&2
    (cd "$repo" &&
        { [ -f build/release/CMakeCache.txt ] || timeout 600 cmake --preset release >&2; } &&
        timeout "$build_timeout" cmake --build --preset release -j 1 \
            --target vigil-server vigil-sentinel >&2) ||
        die "the release build failed or took longer than ${build_timeout}s"
    if [ ! -x "$vigil_server" ] || [ ! -x "$vigil_sentinel" ]; then
        die "the build made no binaries"
    fi
}

# --- the root filesystem ------------------------------------------------------------------------

# A merged-/usr layout like Debian 12's: /bin, /sbin, /lib, /lib64 are links into /usr.
new_rootfs() {
    local root=$1
    rm -rf "$root"
    mkdir -p "$root"/usr/bin "$root"/usr/sbin "$root"/usr/lib/x86_64-linux-gnu "$root"/usr/lib64 \
        "$root"/usr/local/bin "$root"/etc "$root"/data "$root"/conf "$root"/tmp "$root"/run \
        "$root"/proc "$root"/sys "$root"/dev "$root"/root
    ln -s usr/bin "$root/bin"
    ln -s usr/sbin "$root/sbin"
    ln -s usr/lib "$root/lib"
    ln -s usr/lib64 "$root/lib64"
    chmod 1777 "$root/tmp"
    chmod 700 "$root/root"
    printf 'root:x:0:0:root:/root:/bin/sh\nnobody:x:65534:65534:nobody:/nonexistent:/bin/false\n' \
        >"$root/etc/passwd"
    printf 'root:x:0:\nnogroup:x:65534:\n' >"$root/etc/group"
    # Host names: /etc/hosts, then Docker's embedded DNS (/etc/resolv.conf, mounted by Docker).
    # glibc 2.36 has the files and dns modules in libc itself; the libnss_* files are copied too
    # (tiny stubs) so an older or newer glibc finds them either way.
    printf 'passwd: files\ngroup: files\nhosts: files dns\nnetworks: files\n' \
        >"$root/etc/nsswitch.conf"
}

# copy_into_root ROOT FILE [DEST]: FILE (symlinks followed) at DEST (default: the same path),
# with /bin, /lib, /lib64 mapped into /usr as in the image.
root_path() {
    local p=$1
    case "$p" in
        /bin/*|/sbin/*|/lib/*|/lib64/*) p="/usr$p" ;;
    esac
    echo "$p"
}

copy_into_root() {
    local root=$1 src=$2 dest
    dest=$(root_path "${3:-$src}")
    mkdir -p "$root$(dirname "$dest")"
    cp -L --preserve=mode "$src" "$root$dest"
}

# The shared libraries of an ELF file, as ldd resolves them on this machine (loader included).
libraries_of() {
    ldd "$1" | awk '
        /=> \// { print $3; next }
        /^[[:space:]]*\/[^ ]+ \(0x/ { print $1 }
    '
}

# add_binary ROOT SRC DEST [strip]: an executable and every library it loads.
add_binary() {
    local root=$1 src=$2 dest=$3 strip=${4:-}
    [ -x "$src" ] || die "$src: not an executable"
    if ldd "$src" 2>&1 | grep -q "not found"; then
        die "$src: ldd cannot find some libraries: $(ldd "$src" | grep 'not found' | tr -s ' \n' ' ')"
    fi
    mkdir -p "$root$(dirname "$dest")"
    if [ "$strip" = strip ]; then
        # Debug info only: the symbols stay (backtraces), the image loses ~90% of the size.
        strip --strip-debug -o "$root$dest" "$src"
        chmod 755 "$root$dest"
    else
        cp -L --preserve=mode "$src" "$root$dest"
    fi
    local lib
    for lib in $(libraries_of "$src"); do
        copy_into_root "$root" "$lib"
    done
}

add_common() {
    local root=$1 bb
    bb=$(busybox_binary)
    cp "$bb" "$root/usr/bin/busybox"
    chmod 755 "$root/usr/bin/busybox"
    local applet
    for applet in $("$bb" --list); do
        case "$applet" in
            busybox) continue ;;
        esac
        [ -e "$root/usr/bin/$applet" ] || ln -s busybox "$root/usr/bin/$applet"
    done
    add_binary "$root" /usr/bin/getent /usr/bin/getent
    add_binary "$root" /usr/bin/redis-cli /usr/bin/redis-cli
    add_binary "$root" /usr/sbin/dnsmasq /usr/sbin/dnsmasq
    local nss
    for nss in /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libnss_dns.so.2; do
        [ -e "$nss" ] && copy_into_root "$root" "$nss"
    done
    return 0
}

# entry_point ROOT NAME TARGET: /usr/local/bin/NAME runs TARGET with the same arguments. A script
# and not a link: redis-server chooses sentinel mode from the name it was started as.
entry_point() {
    printf '#!/bin/sh\nexec %s "$@"\n' "$3" >"$1/usr/local/bin/$2"
    chmod 755 "$1/usr/local/bin/$2"
}

build_vigil_rootfs() {
    local root=$1
    vigil_binaries
    new_rootfs "$root"
    add_common "$root"
    add_binary "$root" "$vigil_server" /usr/local/bin/vigil-server strip
    add_binary "$root" "$vigil_sentinel" /usr/local/bin/vigil-sentinel strip
    entry_point "$root" server /usr/local/bin/vigil-server
    entry_point "$root" sentinel /usr/local/bin/vigil-sentinel
}

build_redis_rootfs() {
    local root=$1
    new_rootfs "$root"
    add_common "$root"
    # /usr/bin/redis-server and redis-sentinel are links to one binary (redis-check-rdb).
    add_binary "$root" "$(readlink -f /usr/bin/redis-server)" /usr/bin/redis-server
    ln -s redis-server "$root/usr/bin/redis-sentinel"
    entry_point "$root" server /usr/bin/redis-server
    entry_point "$root" sentinel /usr/bin/redis-sentinel
}

# --- the images -----------------------------------------------------------------------------------

# import_image SYSTEM TAG: packs $work/SYSTEM/rootfs reproducibly and imports it unless TAG is
# already that very root filesystem.
import_image() {
    local system=$1 tag=$2
    local root="$work/$system/rootfs" tar="$work/$system/rootfs.tar"
    tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$root" -cf "$tar" .
    local sum
    sum=$(sha256sum "$tar" | cut -d' ' -f1)
    local have old_id=""
    have=$(timeout 60 docker image inspect -f "{{ index .Config.Labels \"$label\" }}" "$tag" \
        2>/dev/null || true)
    if [ "$have" = "$sum" ]; then
        log "$tag is up to date (rootfs $sum)"
        rm -f "$tar"
        return 0
    fi
    old_id=$(timeout 60 docker image inspect -f '{{ .Id }}' "$tag" 2>/dev/null || true)
    log "importing $tag ($(du -h "$tar" | cut -f1) root filesystem)"
    timeout 600 docker import \
        --change 'ENV PATH=/usr/local/bin:/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'WORKDIR /data' \
        --change 'CMD ["sh"]' \
        --change "LABEL $label=$sum" \
        --change "LABEL org.vigil.system=$system" \
        --message "vigil compose/build-images.sh ($system)" \
        "$tar" "$tag" >/dev/null
    rm -f "$tar"
    if [ -n "$old_id" ]; then
        # The previous build, now untagged; kept when a container still uses it.
        timeout 60 docker image rm "$old_id" >/dev/null 2>&1 || true
    fi
}

# check_image TAG: the image starts, name resolution works, every entry point runs.
check_image() {
    local tag=$1
    timeout 120 docker run --rm --network none "$tag" sh -ec '
        getent hosts localhost >/dev/null
        redis-cli --version >/dev/null
        dnsmasq --version >/dev/null
        server --version >/dev/null
        sentinel --version >/dev/null
    ' || die "$tag does not run its entry points"
}

mkdir -p "$work"
ensure_packages redis-tools binutils libc-bin dnsmasq-base
[ "$system" = vigil ] || ensure_packages redis-server redis-sentinel
ensure_docker

for s in vigil redis; do
    [ "$system" = all ] || [ "$system" = "$s" ] || continue
    tag=$vigil_tag
    [ "$s" = redis ] && tag=$redis_tag
    "build_${s}_rootfs" "$work/$s/rootfs"
    import_image "$s" "$tag"
    check_image "$tag"
    size=$(timeout 60 docker image inspect -f '{{ .Size }}' "$tag")
    log "$tag ready: $((size / 1024 / 1024)) MiB ($size bytes)"
done
