; Inno Setup script: the Windows installer for Consult (see docs/install.md, "Windows").
;
; Build on Windows, from the checkout, after the bundle:
;     pyinstaller --noconfirm packaging\consult.spec
;     "C:\Program Files (x86)\Inno Setup 6\ISCC.exe" /DAppVersion=0.1.0 packaging\windows\consult.iss
; Output: dist\Consult-0.1.0-setup.exe, a per-user installer (no administrator needed):
; Start menu entry for consult-app.exe (no console), uninstaller, data kept on uninstall.
; Code signing (untested here: it needs the clinic's certificate): add
;     SignTool=consultsign
; in [Setup] and define the tool in the Inno Setup IDE (Tools > Configure Sign Tools) as
;     consultsign=signtool sign /fd sha256 /tr http://timestamp.digicert.com /td sha256 /a $f
; so the installer and the uninstaller are signed; sign dist\consult\*.exe the same way
; before running ISCC.

#ifndef AppVersion
  #define AppVersion "0.1.0"
#endif

[Setup]
AppId={{6F0D3C52-8B8E-4C55-9D7E-0C4B7E2A51C3}
AppName=Consult
AppVersion={#AppVersion}
AppPublisher=Consult
DefaultDirName={autopf}\Consult
DefaultGroupName=Consult
DisableProgramGroupPage=yes
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
OutputDir=..\..\dist
OutputBaseFilename=Consult-{#AppVersion}-setup
SetupIconFile=..\icons\consult.ico
UninstallDisplayIcon={app}\consult-app.exe
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible

[Files]
Source: "..\..\dist\consult\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\Consult"; Filename: "{app}\consult-app.exe"
Name: "{autodesktop}\Consult"; Filename: "{app}\consult-app.exe"; Tasks: desktopicon

[Tasks]
Name: "desktopicon"; Description: "Create a desktop shortcut"; Flags: unchecked

[Run]
Filename: "{app}\consult-app.exe"; Description: "Start Consult"; Flags: nowait postinstall skipifsilent

; The clinic's data (%LOCALAPPDATA%\consult: database, certificate, log, backups) is
; never removed by the uninstaller: uninstalling must not delete patient records.
