#!/usr/bin/env bash
# build-image.sh — build the PipelineX runner image pipelinex/runner-java17:$VERSION
# (also tagged :latest) without any image registry, in two layers:
#   1. the base, pipelinex/runner-base-java17:$VERSION: a Debian rootfs made with
#      debootstrap from the host's own Debian mirror, OpenJDK 17 and tools from Debian,
#      Apache Maven from Maven Central (through the host's Maven), imported into the
#      private engine of engine.sh (about a minute; built once);
#   2. the PipelineX scanners (scanners/target/pipelinex-scanners, made by
#      `mvn -pl scanners -am package`) in /opt/pipelinex/scanners, and the host's newer JDKs
#      (Temurin 25 under /usr/lib/jvm here) in /opt/pipelinex/jdk-<release>, on top of the
#      base (seconds; made again whenever they change). The label pipelinex.jdks lists the
#      image's JDKs, which the service reads to know which Java releases it serves.
# Containerfile beside it makes the same image where a registry is reachable.
#
# Usage: build-image.sh [--force] [--scanners DIR] [--jdk DIR]...
#   --force          rebuild the base even if it already exists
#   --scanners DIR   the scanners distribution (default: scanners/target/pipelinex-scanners)
#   --jdk DIR        a JDK to add (default: every JDK under /usr/lib/jvm newer than the base's 17)
#
# Settings (environment):
#   PIPELINEX_DOCKER_SOCK    engine socket (default: engine.sh's, /var/run/pipelinex-docker.sock);
#                            the engine is started with engine.sh if it does not answer
#   PIPELINEX_EXTRA_CA_DIR   extra CA certificates (*.crt) to trust, in the OS bundle and in
#                            Java's cacerts (default /usr/local/share/ca-certificates)
#   PIPELINEX_BUILD_TMPDIR   where the temporary rootfs is made (default /var/tmp)
#   PIPELINEX_DEBIAN_MIRROR  Debian mirror (default: the one apt on this host uses)
#
# Image contract: user runner 10001:10001, home and WORKDIR /home/runner,
# JAVA_HOME, MAVEN_HOME=/opt/maven, mvn and java on PATH, bash, coreutils,
# findutils, procps, git, ca-certificates, socat (the repository forwarder).
set -euo pipefail

VERSION=1.1.0

IMAGE=pipelinex/runner-base-java17
FINAL_IMAGE=pipelinex/runner-java17
MAVEN_VERSION=3.9.11
SUITE=bookworm
PACKAGES=(openjdk-17-jdk-headless ca-certificates bash coreutils findutils procps git socat)
RUNNER_UID=10001
RUNNER_GID=10001

SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
EXTRA_CA_DIR=${PIPELINEX_EXTRA_CA_DIR:-/usr/local/share/ca-certificates}
BUILD_TMPDIR=${PIPELINEX_BUILD_TMPDIR:-/var/tmp}

log() { echo "build-image.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

FORCE=0
SCANNERS=$(cd "$SCRIPT_DIR/../.." && pwd)/scanners/target/pipelinex-scanners
JDKS=()
while [ $# -gt 0 ]; do
  case "$1" in
    --force) FORCE=1 ;;
    --scanners) SCANNERS=${2:?--scanners needs a folder}; shift ;;
    --jdk) JDKS+=("${2:?--jdk needs a folder}"); shift ;;
    -h|--help) sed -n '2,33p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    *) die "unknown argument: $1 (usage: $0 [--force] [--scanners DIR] [--jdk DIR]...)" ;;
  esac
  shift
done
# release DIR: the feature release of a JDK (25 for 25.0.3), from its release file.
release() { sed -n 's/^JAVA_VERSION="\([0-9]*\).*/\1/p' "$1/release" 2>/dev/null; }
if [ ${#JDKS[@]} -eq 0 ]; then
  for d in /usr/lib/jvm/*; do
    [ -L "$d" ] || [ ! -x "$d/bin/javac" ] && continue
    r=$(release "$d")
    [ -n "$r" ] && [ "$r" -gt 17 ] && JDKS+=("$d")
  done
fi
[ -x "$SCANNERS/bin/pipelinex-scanners" ] ||
  die "no scanners distribution at $SCANNERS: build it first (mvn -B -pl scanners -am package -DskipTests)"

[ "$(id -u)" -eq 0 ] || die "must run as root (debootstrap, chroot)"

# One build at a time on this host.
exec 9>/var/lock/pipelinex-build-image.lock
flock 9

# --- the engine -------------------------------------------------------------
# engine.sh is idempotent: it prints the socket of the running engine, or
# installs docker.io/debootstrap and starts it.
SOCK=$("$SCRIPT_DIR/engine.sh" start) || die "engine.sh start failed"
export PIPELINEX_DOCKER_SOCK=$SOCK
dk() { docker -H "unix://$SOCK" "$@"; }

# --- layer 2: the scanners on top of the base -------------------------------------
# The image is made again only when the scanners distribution differs from the one it has.
add_scanners() {
  local sum current cid staging jdk r base_java jdks
  # What the image is made of: the base image, every file of the scanners, the added JDKs.
  sum=$( { dk image inspect -f '{{.Id}}' "$IMAGE:$VERSION"
           for jdk in ${JDKS[@]+"${JDKS[@]}"}; do echo "$jdk"; cat "$jdk/release"; done
           cd "$SCANNERS" && find . -type f -print0 | sort -z | xargs -0 sha256sum; } | sha256sum | cut -c1-64)
  current=$(dk image inspect -f '{{index .Config.Labels "pipelinex.content.sha256"}}' "$FINAL_IMAGE:$VERSION" 2>/dev/null || true)
  if [ "$current" = "$sum" ]; then
    dk tag "$FINAL_IMAGE:$VERSION" "$FINAL_IMAGE:latest"
    log "reusing $FINAL_IMAGE:$VERSION: its scanners are current"
    echo "$FINAL_IMAGE:$VERSION"
    return 0
  fi
  local old
  old=$(dk image inspect -f '{{.Id}}' "$FINAL_IMAGE:$VERSION" 2>/dev/null || true)
  staging=$(mktemp -d)
  mkdir -p "$staging/pipelinex"
  cp -a "$SCANNERS" "$staging/pipelinex/scanners"
  base_java=$(dk image inspect -f '{{range .Config.Env}}{{println .}}{{end}}' "$IMAGE:$VERSION" | sed -n 's/^JAVA_HOME=//p')
  jdks="17=$base_java"
  for jdk in ${JDKS[@]+"${JDKS[@]}"}; do
    r=$(release "$jdk")
    [ -n "$r" ] || die "$jdk is not a JDK (no release file)"
    cp -a "$jdk" "$staging/pipelinex/jdk-$r"
    jdks="$jdks,$r=/opt/pipelinex/jdk-$r"
  done
  chmod -R a+rX "$staging/pipelinex"
  cid=$(dk create "$IMAGE:$VERSION" true) || die "cannot create a container from $IMAGE:$VERSION"
  dk cp "$staging/pipelinex" "$cid:/opt/pipelinex" &&
  dk commit \
    --change "ENV PIPELINEX_SCANNERS=/opt/pipelinex/scanners" \
    --change "LABEL pipelinex.content.sha256=$sum pipelinex.jdks=$jdks org.opencontainers.image.title=pipelinex-runner-java17" \
    --message "PipelineX scanners" "$cid" "$FINAL_IMAGE:$VERSION" >/dev/null ||
    { dk rm -f "$cid" >/dev/null 2>&1; rm -rf "$staging"; die "cannot add the scanners to the image"; }
  dk rm -f "$cid" >/dev/null
  rm -rf "$staging"
  dk tag "$FINAL_IMAGE:$VERSION" "$FINAL_IMAGE:latest"
  if [ -n "$old" ] && [ "$old" != "$(dk image inspect -f '{{.Id}}' "$FINAL_IMAGE:$VERSION")" ]; then
    dk rmi "$old" >/dev/null 2>&1 || log "note: previous image $old is still in use; not removed"
  fi
  log "built $FINAL_IMAGE:$VERSION and :latest with the scanners of $SCANNERS and the JDKs $jdks"
  echo "$FINAL_IMAGE:$VERSION"
}

if [ $FORCE -eq 0 ] && dk image inspect "$IMAGE:$VERSION" >/dev/null 2>&1; then
  log "reusing the base $IMAGE:$VERSION; use --force to rebuild it"
  add_scanners
  exit 0
fi

command -v debootstrap >/dev/null 2>&1 || die "debootstrap missing (engine.sh installs it)"
[ -r /usr/share/keyrings/debian-archive-keyring.gpg ] || die "no Debian archive keyring on this host"
command -v mvn >/dev/null 2>&1 || die "host Maven (mvn) is needed to fetch Apache Maven from Maven Central"

# --- the Debian mirror apt on this host uses --------------------------------
# Prints "URI SUITE" for every enabled 'deb' entry of sources.list, *.list and
# deb822 *.sources.
apt_entries() {
  local f
  for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
    [ -r "$f" ] || continue
    sed -e 's/#.*//' -e 's/\[[^]]*\]//g' "$f" | awk '$1 == "deb" && NF >= 3 { print $2, $3 }'
  done
  for f in /etc/apt/sources.list.d/*.sources; do
    [ -r "$f" ] || continue
    awk '
      function flush() {
        if (types ~ /(^| )deb( |$)/ && enabled !~ /^(no|false)$/)
          for (i = 1; i <= nu; i++) for (j = 1; j <= ns; j++) print u[i], s[j]
        types = ""; enabled = ""; nu = 0; ns = 0
      }
      /^[ \t]*#/ { next }
      /^[ \t]*$/ { flush(); next }
      {
        key = tolower($1); sub(/:$/, "", key)
        $1 = ""; sub(/^[ \t]+/, "")
        if (key == "types") types = $0
        else if (key == "enabled") enabled = tolower($0)
        else if (key == "uris") nu = split($0, u, /[ \t]+/)
        else if (key == "suites") ns = split($0, s, /[ \t]+/)
      }
      END { flush() }' "$f"
  done
}
ENTRIES=$(apt_entries)
MIRROR=${PIPELINEX_DEBIAN_MIRROR:-$(awk -v s="$SUITE" '$2 == s { print $1; exit }' <<<"$ENTRIES")}
[ -n "$MIRROR" ] || die "no '$SUITE' entry in /etc/apt/sources.list{,.d/*}; set PIPELINEX_DEBIAN_MIRROR"
MIRROR=${MIRROR%/}
UPDATES_URI=$(awk -v s="$SUITE-updates" '$2 == s { print $1; exit }' <<<"$ENTRIES")
SECURITY_URI=$(awk -v s="$SUITE-security" '$2 == s { print $1; exit }' <<<"$ENTRIES")

# apt settings of this host that the chroot's apt needs too (proxy, snapshot dates).
HOST_HTTP_PROXY='' HOST_HTTPS_PROXY='' HOST_VALID_UNTIL=''
eval "$(apt-config shell HOST_HTTP_PROXY Acquire::http::Proxy HOST_HTTPS_PROXY Acquire::https::Proxy HOST_VALID_UNTIL Acquire::Check-Valid-Until)"
APT_OPTS=(-o Acquire::https::CAInfo=/tmp/pipelinex-host-ca.crt)
if [ -n "$HOST_HTTP_PROXY" ]; then APT_OPTS+=(-o "Acquire::http::Proxy=$HOST_HTTP_PROXY"); fi
if [ -n "$HOST_HTTPS_PROXY" ]; then APT_OPTS+=(-o "Acquire::https::Proxy=$HOST_HTTPS_PROXY"); fi
if [ -n "$HOST_VALID_UNTIL" ]; then APT_OPTS+=(-o "Acquire::Check-Valid-Until=$HOST_VALID_UNTIL"); fi

# --- work area and its clean-up -----------------------------------------------
WORK=$(mktemp -d "$BUILD_TMPDIR/pipelinex-runner.XXXXXX")
R="$WORK/rootfs"

unmount_all() {
  local m
  # Deepest first; -l as a last resort so nothing stays mounted under $R.
  while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
  done < <(findmnt -rn -o TARGET | awk -v r="$R/" 'index($0, r) == 1' | sort -r)
}
cleanup() {
  local rc=$?
  set +e
  unmount_all
  if findmnt -rn -o TARGET | awk -v r="$R/" 'index($0, r) == 1 { found = 1 } END { exit !found }'; then
    log "WARNING: something is still mounted under $R; left $WORK in place"
  else
    rm -rf --one-file-system "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "building $IMAGE:$VERSION (Debian $SUITE from $MIRROR, Maven $MAVEN_VERSION) in $WORK"

# --- Apache Maven from Maven Central, through the host's Maven ----------------
mkdir -p "$WORK/maven"
( cd "$WORK/maven" &&
  mvn -B -q -C org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy \
    "-Dartifact=org.apache.maven:apache-maven:$MAVEN_VERSION:tar.gz:bin" \
    -DoutputDirectory="$WORK/maven" >&2 ) || die "could not fetch Apache Maven $MAVEN_VERSION from Maven Central"
MAVEN_TGZ="$WORK/maven/apache-maven-$MAVEN_VERSION-bin.tar.gz"
[ -s "$MAVEN_TGZ" ] || die "Maven Central gave no $MAVEN_TGZ"

# --- base system ----------------------------------------------------------------
log "debootstrap --variant=minbase $SUITE"
if [ -n "$HOST_HTTP_PROXY" ]; then export http_proxy=$HOST_HTTP_PROXY; fi
debootstrap --variant=minbase --keyring=/usr/share/keyrings/debian-archive-keyring.gpg \
  "$SUITE" "$R" "$MIRROR" >"$WORK/debootstrap.log" 2>&1 || {
  tail -n 30 "$WORK/debootstrap.log" >&2
  die "debootstrap failed"
}

# The same sources as the host (release, updates, security), so security fixes come in.
{
  echo "deb $MIRROR $SUITE main"
  if [ -n "$UPDATES_URI" ]; then echo "deb ${UPDATES_URI%/} $SUITE-updates main"; fi
  if [ -n "$SECURITY_URI" ]; then echo "deb ${SECURITY_URI%/} $SUITE-security main"; fi
} > "$R/etc/apt/sources.list"
rm -f "$R"/etc/apt/sources.list.d/*

# Start no services from maintainer scripts; keep docs, man pages and locales out
# (the same exclusions as debian:*-slim).
printf '#!/bin/sh\nexit 101\n' > "$R/usr/sbin/policy-rc.d"
chmod 755 "$R/usr/sbin/policy-rc.d"
cat > "$R/etc/dpkg/dpkg.cfg.d/pipelinex-slim" <<'EOF'
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/groff/*
path-exclude /usr/share/info/*
path-exclude /usr/share/linda/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/man/*
EOF
# openjdk's postinst registers man-page alternatives into this directory.
mkdir -p "$R/usr/share/man/man1"

# Extra CAs before ca-certificates/ca-certificates-java are installed, so that both
# the OS bundle and Java's cacerts are made with them.
mkdir -p "$R/usr/local/share/ca-certificates"
EXTRA_CAS=()
if [ -d "$EXTRA_CA_DIR" ]; then
  while IFS= read -r -d '' f; do
    rel=${f#"$EXTRA_CA_DIR"/}
    mkdir -p "$(dirname "$R/usr/local/share/ca-certificates/$rel")"
    cp -L "$f" "$R/usr/local/share/ca-certificates/$rel"
    chmod 644 "$R/usr/local/share/ca-certificates/$rel"
    EXTRA_CAS+=("$rel")
  done < <(find "$EXTRA_CA_DIR" \( -type f -o -type l \) -name '*.crt' -print0 | sort -z)
  log "extra CA certificates from $EXTRA_CA_DIR: ${EXTRA_CAS[*]:-(none)}"
else
  log "no $EXTRA_CA_DIR; no extra CA certificates"
fi
# The host's bundle lets the chroot's apt talk https through the same proxy CA.
cp -L /etc/ssl/certs/ca-certificates.crt "$R/tmp/pipelinex-host-ca.crt"

mount -t proc proc "$R/proc"
mount -t sysfs -o ro sysfs "$R/sys"
[ -c "$R/dev/null" ] || mount --bind /dev "$R/dev"

in_chroot() {
  env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin HOME=/root \
    LANG=C.UTF-8 DEBIAN_FRONTEND=noninteractive chroot "$R" "$@"
}

log "apt-get install ${PACKAGES[*]}"
in_chroot apt-get "${APT_OPTS[@]}" -q update >"$WORK/apt.log" 2>&1 &&
in_chroot apt-get "${APT_OPTS[@]}" -q -y upgrade >>"$WORK/apt.log" 2>&1 &&
in_chroot apt-get "${APT_OPTS[@]}" -q -y install --no-install-recommends "${PACKAGES[@]}" >>"$WORK/apt.log" 2>&1 || {
  tail -n 40 "$WORK/apt.log" >&2
  die "apt-get in the chroot failed"
}

ARCH=$(in_chroot dpkg --print-architecture)
JAVA_HOME=/usr/lib/jvm/java-17-openjdk-$ARCH
[ -x "$R$JAVA_HOME/bin/javac" ] || die "no JDK at $JAVA_HOME"

# Fold the extra CAs in (OS bundle and, through ca-certificates-java's hook, Java's cacerts).
in_chroot update-ca-certificates >>"$WORK/apt.log" 2>&1 || {
  tail -n 20 "$WORK/apt.log" >&2
  die "update-ca-certificates failed"
}
for ca in ${EXTRA_CAS[@]+"${EXTRA_CAS[@]}"}; do
  fp=$(in_chroot openssl x509 -noout -fingerprint -sha256 -in "/usr/local/share/ca-certificates/$ca" 2>/dev/null | sed 's/.*=//') ||
    die "$ca is not a PEM certificate"
  in_chroot "$JAVA_HOME/bin/keytool" -list -cacerts -storepass changeit 2>/dev/null | grep -qi "$fp" ||
    die "extra CA $ca is not in Java's cacerts after update-ca-certificates"
done
if [ ${#EXTRA_CAS[@]} -gt 0 ]; then log "Java cacerts trusts ${#EXTRA_CAS[@]} extra CA(s)"; fi

# Apache Maven.
mkdir -p "$R/opt/maven"
tar -xzf "$MAVEN_TGZ" -C "$R/opt/maven" --strip-components=1 --no-same-owner
ln -sfn /opt/maven/bin/mvn "$R/usr/local/bin/mvn"
# Maven ships jansi's Linux library only inside its jar and extracts it to /tmp at
# every start, which fails on a noexec /tmp (docker --tmpfs, --read-only runs).
# Put it where bin/mvn's -Dlibrary.jansi.path looks, so nothing is extracted.
in_chroot bash -ec 'cd /tmp && jar xf /opt/maven/lib/jansi-*.jar org/fusesource/jansi/internal/native/Linux &&
  mv org/fusesource/jansi/internal/native/Linux /opt/maven/lib/jansi-native/ && rm -rf /tmp/org' ||
  die "could not unpack jansi's native library"

# The runner user.
in_chroot groupadd -g "$RUNNER_GID" runner
in_chroot useradd -u "$RUNNER_UID" -g "$RUNNER_GID" -m -d /home/runner -s /bin/bash runner

# Check it works before it becomes an image.
in_chroot "$JAVA_HOME/bin/java" -version >/dev/null 2>&1 || die "java does not run in the rootfs"
in_chroot env JAVA_HOME="$JAVA_HOME" /usr/local/bin/mvn -v >/dev/null 2>&1 || die "mvn does not run in the rootfs"

# Clean up: apt lists and caches, logs, build-only files, host identity.
in_chroot apt-get clean
unmount_all
rm -rf "$R"/var/lib/apt/lists/* "$R"/var/cache/apt/*.bin "$R"/var/cache/debconf/*-old \
  "$R"/var/lib/dpkg/*-old "$R"/var/log/* "$R"/tmp/* "$R"/var/tmp/* "$R"/root/.cache \
  "$R/usr/sbin/policy-rc.d"
find "$R/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete 2>/dev/null || true
find "$R/usr/share/doc" -mindepth 1 -type d -empty -delete 2>/dev/null || true
rm -rf "$R"/usr/share/man/* "$R"/usr/share/info/* "$R"/usr/share/locale/* "$R"/usr/share/lintian/*
: > "$R/etc/resolv.conf"
: > "$R/etc/hostname"
: > "$R/etc/machine-id"
printf '127.0.0.1\tlocalhost\n::1\tlocalhost ip6-localhost ip6-loopback\n' > "$R/etc/hosts"

# --- import -----------------------------------------------------------------------
OLD_ID=$(dk image inspect -f '{{.Id}}' "$IMAGE:$VERSION" 2>/dev/null || true)
PATH_IN_IMAGE="/opt/maven/bin:$JAVA_HOME/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"
log "importing into $SOCK as $IMAGE:$VERSION"
tar -C "$R" --numeric-owner -cf - . | dk import \
  --change "USER $RUNNER_UID:$RUNNER_GID" \
  --change 'WORKDIR /home/runner' \
  --change "ENV JAVA_HOME=$JAVA_HOME MAVEN_HOME=/opt/maven PATH=$PATH_IN_IMAGE LANG=C.UTF-8" \
  --change "LABEL org.opencontainers.image.title=pipelinex-runner-base-java17 org.opencontainers.image.version=$VERSION" \
  --change 'CMD ["/bin/bash"]' \
  --message "pipelinex runner $VERSION: Debian $SUITE, OpenJDK 17, Maven $MAVEN_VERSION" \
  - "$IMAGE:$VERSION" >/dev/null
if [ -n "$OLD_ID" ] && [ "$OLD_ID" != "$(dk image inspect -f '{{.Id}}' "$IMAGE:$VERSION")" ]; then
  dk rmi "$OLD_ID" >/dev/null 2>&1 || log "note: previous image $OLD_ID is still in use; not removed"
fi
log "built the base $IMAGE:$VERSION, $(dk image inspect -f '{{.Size}}' "$IMAGE:$VERSION" | awk '{ printf "%.0f MB", $1 / 1e6 }')"
add_scanners
