#!/usr/bin/env bash
# Build LocalChat for Linux x86_64: PyInstaller onedir, .deb, tarball and an AppDir.
#
#     bash packaging/linux/build.sh            # from the repository root, or anywhere
#
# Output in dist/: localchat/ (onedir), localchat_<version>_amd64.deb, localchat-<version>-linux-x86_64.tar.gz,
# LocalChat.AppDir/.  Needs python3 (3.10+, built with --enable-shared), dpkg-deb, and PyPI access.
# The minimum glibc of the result is the build machine's (at most): build on the oldest distro you support.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
HERE="$ROOT/packaging/linux"
APP_ID="io.github.localchat.LocalChat"
VENV="${LOCALCHAT_BUILD_VENV:-$ROOT/build/venv}"  # separate from any dev venv: only what the bundle needs
DIST="$ROOT/dist"
cd "$ROOT"
VERSION="$(sed -n 's/^__version__ = "\(.*\)"/\1/p' app/__init__.py)"

echo "== build environment ($VENV)"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"
# The CPU flavour (the [cpu] extra); onnx builds the self-test model at build time and is excluded from the bundle.
"$VENV/bin/pip" install -q --upgrade "$ROOT[cpu]" pyinstaller onnx

echo "== icons, PyInstaller onedir"
"$VENV/bin/python" packaging/make_icons.py
rm -rf "$DIST/localchat"
"$VENV/bin/pyinstaller" --noconfirm --log-level WARN --distpath "$DIST" --workpath "$ROOT/build/pyinstaller" \
    packaging/localchat.spec

echo "== smoke test of the onedir (engine process included)"
"$DIST/localchat/localchat" --version
"$DIST/localchat/localchat" self-test --output "$ROOT/build/selftest-onedir.json"

# The highest glibc symbol version any bundled binary needs is the real minimum (the build machine's or lower).
GLIBC_MIN="$(find "$DIST/localchat" -type f \( -name '*.so*' -o -name localchat \) -exec objdump -T {} + 2>/dev/null \
    | grep -o 'GLIBC_[0-9.]*' | sort -uV | tail -1 | cut -d_ -f2)"
echo "glibc needed: >= $GLIBC_MIN (built on $(ldd --version | head -1 | awk '{print $NF}'))"

# Files the desktop needs, laid out as under /usr/share ($1 = the share folder to fill).
install_desktop_files() {
    install -Dm644 "$HERE/$APP_ID.desktop" "$1/applications/$APP_ID.desktop"
    install -Dm644 "$HERE/$APP_ID.metainfo.xml" "$1/metainfo/$APP_ID.metainfo.xml"
    install -Dm644 resources/icon.svg "$1/icons/hicolor/scalable/apps/$APP_ID.svg"
    for png in resources/icons/localchat-*.png; do
        size="$(basename "$png" .png)"; size="${size#localchat-}"
        install -Dm644 "$png" "$1/icons/hicolor/${size}x${size}/apps/$APP_ID.png"
    done
}

echo "== .deb"
DEB="$ROOT/build/deb"
rm -rf "$DEB" && mkdir -p "$DEB/DEBIAN" "$DEB/opt" "$DEB/usr/bin"
cp -a "$DIST/localchat" "$DEB/opt/localchat"
ln -s /opt/localchat/localchat "$DEB/usr/bin/localchat"
install_desktop_files "$DEB/usr/share"
# Depends: the host libraries the spec leaves out of the bundle (X11/xcb for Qt's xcb plug-in, OpenGL,
# fonts, D-Bus, GLib, compression, C++ runtime), from objdump/ldd of every bundled binary.  Wayland is
# optional: without it Qt uses xcb (XWayland).  dpkg's own triggers refresh the icon and desktop caches.
sed -e "s/@VERSION@/$VERSION/" -e "s/@GLIBC_MIN@/$GLIBC_MIN/" \
    -e "s/@SIZE@/$(du -sk "$DEB" | cut -f1)/" "$HERE/control.in" > "$DEB/DEBIAN/control"
dpkg-deb --root-owner-group -Zxz --build "$DEB" "$DIST/localchat_${VERSION}_amd64.deb"

echo "== tarball (run localchat/localchat; share/ has the .desktop file and icons)"
TAR="$ROOT/build/tar/localchat"
rm -rf "$ROOT/build/tar" && mkdir -p "$TAR"
cp -a "$DIST/localchat/." "$TAR/"
install_desktop_files "$TAR/share"
tar -C "$ROOT/build/tar" -czf "$DIST/localchat-${VERSION}-linux-x86_64.tar.gz" localchat

echo "== AppDir (appimagetool turns it into an AppImage: appimagetool dist/LocalChat.AppDir)"
APPDIR="$DIST/LocalChat.AppDir"
rm -rf "$APPDIR" && mkdir -p "$APPDIR/usr"
cp -a "$DIST/localchat" "$APPDIR/usr/lib-localchat"
install_desktop_files "$APPDIR/usr/share"
cp "$HERE/$APP_ID.desktop" "$APPDIR/$APP_ID.desktop"
cp resources/icons/localchat-256.png "$APPDIR/$APP_ID.png"
printf '#!/bin/sh\nexec "$(dirname "$(readlink -f "$0")")/usr/lib-localchat/localchat" "$@"\n' > "$APPDIR/AppRun"
chmod +x "$APPDIR/AppRun"
if command -v appimagetool >/dev/null; then
    ARCH=x86_64 appimagetool "$APPDIR" "$DIST/LocalChat-${VERSION}-x86_64.AppImage"
fi

du -h "$DIST"/localchat_*.deb "$DIST"/localchat-*.tar.gz
