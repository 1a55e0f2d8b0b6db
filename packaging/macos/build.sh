#!/usr/bin/env bash
# Build LocalChat for macOS: dist/LocalChat.app inside dist/LocalChat-<version>-macos-arm64.dmg.
#
#     bash packaging/macos/build.sh
#
# onnxruntime-genai publishes macOS wheels for arm64 (Apple silicon) and macOS 14+ only, so this builds
# on an arm64 Mac (e.g. GitHub's macos-14 runner) and the app says LSMinimumSystemVersion 14.0.
# Signing and notarization run only when their credentials are in the environment:
#   MACOS_SIGN_IDENTITY  "Developer ID Application: ..." (a keychain identity)
#   APPLE_ID, APPLE_TEAM_ID, APPLE_APP_PASSWORD  (notarytool)
# Without them the .dmg is unsigned: Gatekeeper asks the user to confirm the first start (right-click, Open).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
VENV="${LOCALCHAT_BUILD_VENV:-$ROOT/build/venv}"
cd "$ROOT"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)"
APP="$ROOT/dist/LocalChat.app"
DMG="$ROOT/dist/LocalChat-${VERSION}-macos-arm64.dmg"

[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
"$VENV/bin/pip" install -q --upgrade "$ROOT[cpu]" pyinstaller onnx  # the CPU flavour: the [cpu] extra
"$VENV/bin/python" packaging/make_icons.py
rm -rf "$ROOT/dist/localchat" "$APP"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$ROOT/dist" --workpath "$ROOT/build/pyinstaller" \
    packaging/localchat.spec

# The executable inside the bundle is the same program: it prints when started from a terminal.
"$APP/Contents/MacOS/localchat" --version
"$APP/Contents/MacOS/localchat" self-test --output "$ROOT/build/selftest-app.json"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    # Hardened runtime is required for notarization; --deep signs the bundled dylibs and Qt frameworks.
    codesign --force --deep --options runtime --timestamp --sign "$MACOS_SIGN_IDENTITY" "$APP"
    codesign --verify --deep --strict "$APP"
fi

rm -f "$DMG"
hdiutil create -volname "LocalChat" -srcfolder "$APP" -ov -format UDZO "$DMG"

if [ -n "${MACOS_SIGN_IDENTITY:-}" ]; then
    codesign --force --sign "$MACOS_SIGN_IDENTITY" --timestamp "$DMG"
fi
if [ -n "${APPLE_ID:-}" ] && [ -n "${APPLE_TEAM_ID:-}" ] && [ -n "${APPLE_APP_PASSWORD:-}" ]; then
    xcrun notarytool submit "$DMG" --apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID" \
        --password "$APPLE_APP_PASSWORD" --wait
    xcrun stapler staple "$DMG"
fi
du -h "$DMG"
