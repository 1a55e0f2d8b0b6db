; LocalChat per-user installer (no administrator rights): installs into %LOCALAPPDATA%\Programs\LocalChat.
; Built by packaging/windows/build.ps1:
;   makensis /DVERSION=0.1.0 /DFLAVOUR=cpu /DSOURCE=..\..\dist\localchat /DOUTFILE=..\..\dist\x.exe localchat.nsi
; SOURCE is the PyInstaller onedir (LocalChat.exe, localchat-cli.exe, _internal\).

Unicode true
!ifndef VERSION
  !define VERSION "0.0.0"
!endif
!ifndef FLAVOUR
  !define FLAVOUR "cpu"
!endif
!ifndef SOURCE
  !define SOURCE "..\..\dist\localchat"
!endif
!ifndef OUTFILE
  !define OUTFILE "..\..\dist\LocalChat-${VERSION}-windows-${FLAVOUR}-setup.exe"
!endif
!define APP "LocalChat"
!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\${APP}"

Name "${APP} ${VERSION}"
OutFile "${OUTFILE}"
RequestExecutionLevel user  ; per-user: HKCU and the user's own folders only
InstallDir "$LOCALAPPDATA\Programs\${APP}"
InstallDirRegKey HKCU "Software\${APP}" "InstallDir"
SetCompressor /SOLID lzma
!ifdef ICON
  Icon "${ICON}"
  UninstallIcon "${ICON}"
!endif

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "LocalChat"
  SetShellVarContext current
  ; An update replaces the whole program folder (not the user's data, which lives elsewhere).
  RMDir /r "$INSTDIR\_internal"
  SetOutPath "$INSTDIR"
  File /r "${SOURCE}\*.*"
  WriteUninstaller "$INSTDIR\Uninstall.exe"
  CreateShortcut "$SMPROGRAMS\${APP}.lnk" "$INSTDIR\LocalChat.exe"
  WriteRegStr HKCU "Software\${APP}" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "${APP}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "LocalChat developers"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\LocalChat.exe"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\Uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\Uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$SMPROGRAMS\${APP}.lnk"
  ; Only the program folder: conversations, settings and models stay (they are the user's).
  RMDir /r "$INSTDIR\_internal"
  Delete "$INSTDIR\LocalChat.exe"
  Delete "$INSTDIR\localchat-cli.exe"
  Delete "$INSTDIR\Uninstall.exe"
  RMDir "$INSTDIR"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\${APP}"
SectionEnd
