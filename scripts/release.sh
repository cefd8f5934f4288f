#!/usr/bin/env bash
# Release build: cross-compiles the provider for the registry platforms with cargo-zigbuild (zig as
# C compiler and linker), then packages and signs them with scripts/package.sh into DIST:
#   terraform-provider-vpce_{VERSION}_{os}_{arch}.zip   (binary terraform-provider-vpce_v{VERSION}[.exe])
#   terraform-provider-vpce_{VERSION}_manifest.json     ({"version":1,"metadata":{"protocol_versions":["6.0"]}})
#   terraform-provider-vpce_{VERSION}_SHA256SUMS        (zips + manifest)
#   terraform-provider-vpce_{VERSION}_SHA256SUMS.sig    (binary detached GPG signature)
# then checks them: `sha256sum -c`, `gpg --verify`, and each binary's format (scripts/check-binary.py).
#
#   bash scripts/release.sh                                   # all default targets
#   bash scripts/release.sh --targets linux_amd64,linux_arm64 # some
#   bash scripts/release.sh --setup-only                      # install the tooling and exit
#   bash scripts/release.sh --prebuilt DIR    # no build: package DIR/{platform}/terraform-provider-vpce[.exe]
#                                             # (binaries built elsewhere, e.g. by a CI matrix)
# Options: --dist DIR (default dist/), --jobs N (cargo -j, default: nproc), --targets LIST.
# Environment:
#   GPG_KEY_ID     key (id or fingerprint) to sign with, in GNUPGHOME (default keyring if unset);
#                  PASSPHRASE / GPG_PASSPHRASE its passphrase, if it has one.
#                  Without GPG_KEY_ID a throwaway key (no passphrase) is generated in a temporary
#                  GNUPGHOME, for local runs: its path is printed at the end.
#   RELEASE_TARGET_DIR  cargo target dir (default target-release/, never target/: a release build
#                  does not hold the lock of the everyday build).
#   RELEASE_VENV   venv for the tooling (default .venv/), SOURCE_DATE_EPOCH zip timestamps.
# Targets: linux_amd64 linux_arm64 (static, musl), darwin_amd64 darwin_arm64 (macOS >= 10.12 / 11),
# windows_amd64 (windows-gnu, .exe); not in the default list: freebsd_amd64.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

DEFAULT_TARGETS="linux_amd64,linux_arm64,darwin_amd64,darwin_arm64,windows_amd64"
TARGETS="$DEFAULT_TARGETS"
DIST="$ROOT/dist"
JOBS="$(nproc)"
SETUP_ONLY=0
PREBUILT=""
while [ $# -gt 0 ]; do
  case "$1" in
    --targets) TARGETS="$2"; shift 2 ;;
    --targets=*) TARGETS="${1#*=}"; shift ;;
    --dist) DIST="$2"; shift 2 ;;
    --dist=*) DIST="${1#*=}"; shift ;;
    --jobs|-j) JOBS="$2"; shift 2 ;;
    --jobs=*) JOBS="${1#*=}"; shift ;;
    --setup-only) SETUP_ONLY=1; shift ;;
    --prebuilt) PREBUILT="$2"; shift 2 ;;
    --prebuilt=*) PREBUILT="${1#*=}"; shift ;;
    -h|--help) sed -n '2,25p' "$0"; exit 0 ;;
    *) echo "release.sh: unknown argument $1" >&2; exit 2 ;;
  esac
done
case "$DIST" in /*) ;; *) DIST="$ROOT/$DIST" ;; esac

VERSION="$(sed -n 's/^version *= *"\([^"]*\)".*/\1/p' Cargo.toml | head -1)"
[ -n "$VERSION" ] || { echo "release.sh: no version in Cargo.toml" >&2; exit 1; }
NAME=terraform-provider-vpce

# Registry platform -> rust target. Linux binaries are static (musl), like Go providers: they run
# on any distribution, Alpine (the official Terraform image) included, and under qemu-user
# without an arm64 sysroot.
rust_target() {
  case "$1" in
    linux_amd64) echo x86_64-unknown-linux-musl ;;
    linux_arm64) echo aarch64-unknown-linux-musl ;;
    darwin_amd64) echo x86_64-apple-darwin ;;
    darwin_arm64) echo aarch64-apple-darwin ;;
    windows_amd64) echo x86_64-pc-windows-gnu ;;
    freebsd_amd64) echo x86_64-unknown-freebsd ;;
    *) echo "release.sh: unknown platform $1 (known: $DEFAULT_TARGETS,freebsd_amd64)" >&2; return 1 ;;
  esac
}

# ---- setup: rust targets, zig and cargo-zigbuild (PyPI wheels) in the project venv ------------
VENV="${RELEASE_VENV:-$ROOT/.venv}"
# Absolute: $VENV/bin goes on PATH, and cargo runs build scripts in other directories (the `ar`
# cargo-zigbuild gives Apple targets finds zig through PATH only).
case "$VENV" in /*) ;; *) VENV="$ROOT/$VENV" ;; esac
PY="${PYTHON:-python3}"
[ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
REQ="$ROOT/scripts/release-requirements.txt"
STAMP="$VENV/.release-requirements.stamp"
if [ ! -f "$STAMP" ] || [ "$(cat "$STAMP")" != "$(sha256sum "$REQ" | cut -d' ' -f1)" ] || [ ! -x "$VENV/bin/cargo-zigbuild" ]; then
  echo "release.sh: installing $REQ into $VENV" >&2
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$REQ" >&2
  sha256sum "$REQ" | cut -d' ' -f1 > "$STAMP"
fi
# cargo-zigbuild finds zig as `python3 -m ziglang` from the venv.
export PATH="$VENV/bin:$PATH"
IFS=, read -r -a PLATFORMS <<< "$TARGETS"
need=()
for p in "${PLATFORMS[@]}"; do t="$(rust_target "$p")"; need+=("$t"); done
installed="$(rustup target list --installed 2>/dev/null || true)"
missing=()
for t in "${need[@]}"; do grep -qx "$t" <<< "$installed" || missing+=("$t"); done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "release.sh: rustup target add ${missing[*]}" >&2
  rustup target add "${missing[@]}" >&2
fi
if [ "$SETUP_ONLY" = 1 ]; then
  echo "release.sh: setup done (zig $("$VENV/bin/python" -m ziglang version), $(cargo-zigbuild --version))" >&2
  exit 0
fi

# ---- build --------------------------------------------------------------------------------------
export CARGO_TARGET_DIR="${RELEASE_TARGET_DIR:-$ROOT/target-release}"
mkdir -p "$CARGO_TARGET_DIR"
# zig's own cache: keep it beside the build, not in $HOME.
export ZIG_GLOBAL_CACHE_DIR="${ZIG_GLOBAL_CACHE_DIR:-$CARGO_TARGET_DIR/zig-cache}"
ZIG_LOCAL_CACHE_DIR="${ZIG_LOCAL_CACHE_DIR:-$ZIG_GLOBAL_CACHE_DIR}"; export ZIG_LOCAL_CACHE_DIR
# macOS: a pure-Rust binary needs no SDK except for the frameworks it links (Security and
# CoreFoundation, through rustls-native-certs): scripts/macos-stubs/ holds text stubs (.tbd) of
# just the symbols used, so the linker records the right load commands without Apple's SDK.
# Minimum macOS: Rust's defaults (10.12 on x86_64, 11.0 on arm64) unless MACOSX_DEPLOYMENT_TARGET.

args=()
TIMES="$CARGO_TARGET_DIR/release-times.txt"
: > "$TIMES"
for p in "${PLATFORMS[@]}"; do
  triple="$(rust_target "$p")"
  extra=()
  case "$p" in
    darwin_*)
      extra=(--config "target.$triple.rustflags=['-C','link-arg=-F$ROOT/scripts/macos-stubs','-C','link-arg=-L$ROOT/scripts/macos-stubs']") ;;
  esac
  exe="$NAME"; case "$p" in windows_*) exe="$NAME.exe" ;; esac
  if [ -n "$PREBUILT" ]; then
    [ -f "$PREBUILT/$p/$exe" ] || { echo "release.sh: no $PREBUILT/$p/$exe" >&2; exit 1; }
    args+=("$p=$PREBUILT/$p/$exe")
    continue
  fi
  echo "release.sh: building $p ($triple), -j $JOBS" >&2
  start=$(date +%s)
  nice -n 19 cargo zigbuild --release --locked -j "$JOBS" --target "$triple" --bin "$NAME" "${extra[@]}" >&2
  end=$(date +%s)
  echo "$p $((end - start))" >> "$TIMES"
  args+=("$p=$CARGO_TARGET_DIR/$triple/release/$exe")
done

# ---- signing key --------------------------------------------------------------------------------
if [ -z "${GPG_KEY_ID:-}" ]; then
  GNUPGHOME="$(mktemp -d "${TMPDIR:-/tmp}/vpce-release-gpg.XXXXXX")"
  export GNUPGHOME
  chmod 700 "$GNUPGHOME"
  gpg --batch --quiet --passphrase "" --quick-gen-key "terraform-provider-vpce throwaway release key <release@localhost>" rsa3072 sign 1d >&2
  GPG_KEY_ID="$(gpg --batch --with-colons --list-secret-keys | awk -F: '/^fpr:/ { print $10; exit }')"
  export GPG_KEY_ID
  echo "release.sh: no GPG_KEY_ID, signed with throwaway key $GPG_KEY_ID in GNUPGHOME=$GNUPGHOME" >&2
  trap 'gpgconf --kill gpg-agent 2>/dev/null || true' EXIT   # the agent gpg started for that home
fi

# ---- package, sign, check -----------------------------------------------------------------------
bash "$ROOT/scripts/package.sh" --version "$VERSION" --out "$DIST" "${args[@]}"
( cd "$DIST" && sha256sum -c "${NAME}_${VERSION}_SHA256SUMS" ) >&2
gpg --batch --verify "$DIST/${NAME}_${VERSION}_SHA256SUMS.sig" "$DIST/${NAME}_${VERSION}_SHA256SUMS" >&2
"$VENV/bin/python" "$ROOT/scripts/check-binary.py" "$DIST"/"${NAME}_${VERSION}"_*.zip >&2

echo "release.sh: $DIST (build seconds per platform in $TIMES):" >&2
( cd "$DIST" && ls -l ) >&2
echo "release.sh: signed by $GPG_KEY_ID${GNUPGHOME:+ (GNUPGHOME=$GNUPGHOME)}" >&2
