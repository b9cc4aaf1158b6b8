; The Windows installer of Shoebox, built on Linux by packaging/windows/build with NSIS's
; makensis. It installs for the current user (no administrator needed) into
; %LOCALAPPDATA%\Programs\Shoebox, puts Shoebox in the Start menu with its icon and in
; "Apps & features", and its uninstaller removes exactly what it installed: the library
; (%APPDATA%\Shoebox) is the user's and stays.
;
; Defined by the build script: VERSION, EXE (the window build), CONSOLE (the same program
; for cmd and PowerShell), ICON, README, LICENSE, OUTFILE.

; Shoebox is a 64-bit program: so is its installer (and it runs where only 64-bit Windows does).
Target amd64-unicode
SetCompressor /SOLID lzma
RequestExecutionLevel user

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Shoebox"

Name "Shoebox"
Caption "Shoebox ${VERSION} Setup"
OutFile "${OUTFILE}"
InstallDir "$LOCALAPPDATA\Programs\Shoebox"
Icon "${ICON}"
UninstallIcon "${ICON}"
ShowInstDetails show

Page directory
Page instfiles
UninstPage uninstConfirm
UninstPage instfiles

Section "Shoebox"
    SetOutPath "$INSTDIR"
    File "/oname=shoebox.exe" "${EXE}"
    File "/oname=shoebox.com" "${CONSOLE}"
    File "/oname=shoebox.ico" "${ICON}"
    File "/oname=README.md" "${README}"
    File "/oname=LICENSE.txt" "${LICENSE}"
    WriteUninstaller "$INSTDIR\uninstall.exe"
    CreateShortcut "$SMPROGRAMS\Shoebox.lnk" "$INSTDIR\shoebox.exe" "" "$INSTDIR\shoebox.ico" 0
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Shoebox"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Shoebox developers"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\shoebox.ico"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
    WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
    WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
    WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1
SectionEnd

Section "Uninstall"
    Delete "$SMPROGRAMS\Shoebox.lnk"
    Delete "$INSTDIR\shoebox.exe"
    Delete "$INSTDIR\shoebox.com"
    Delete "$INSTDIR\shoebox.ico"
    Delete "$INSTDIR\README.md"
    Delete "$INSTDIR\LICENSE.txt"
    Delete "$INSTDIR\uninstall.exe"
    RMDir "$INSTDIR"
    DeleteRegKey HKCU "${UNINSTALL_KEY}"
SectionEnd
