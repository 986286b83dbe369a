; Inno Setup 6 script: a per-user installer for the PyInstaller build (no administrator rights needed).
; Build on Windows from the repository root, after the PyInstaller build (packaging/README.md):
;     iscc /DAppVersion=0.2.0 packaging\windows\commmatters-desktop.iss
; Output: dist\installer\commmatters-desktop-<version>-setup.exe
;
; The vault (%LOCALAPPDATA%\commmatters-desktop: the encrypted database, its recovery file, backups and
; logs) is created by the app, not by this installer, so uninstalling leaves it alone. The uninstaller asks
; once whether to delete it too, with "No" as the default answer; a silent uninstall never deletes it.

#ifndef AppVersion
  #define AppVersion "0.2.0"
#endif
#define AppName "Community Matters Desktop"
#define AppExe "commmatters-desktop-gui.exe"
#define Build "..\..\dist\commmatters-desktop"

[Setup]
; The AppId identifies the product across versions: never change it.
AppId={{6F0C7A52-3D8E-4C61-9B0E-2A7D5E3C9F14}
AppName={#AppName}
AppVersion={#AppVersion}
AppPublisher=Community Matters Desktop team
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
; Per-user: installs under %LOCALAPPDATA%\Programs, Start menu entry in the user's own Start menu.
PrivilegesRequired=lowest
PrivilegesRequiredOverridesAllowed=dialog
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
OutputDir=..\..\dist\installer
OutputBaseFilename=commmatters-desktop-{#AppVersion}-setup
Compression=lzma2
SolidCompression=yes
WizardStyle=modern
UninstallDisplayIcon={app}\{#AppExe}
UninstallDisplayName={#AppName}
CloseApplications=yes

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
Source: "{#Build}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\{#AppName}"; Filename: "{app}\{#AppExe}"; Comment: "Ward priorities, SARA plans and ""You said, we did"" feedback, offline"
Name: "{autoprograms}\{#AppName} (demo force)"; Filename: "{app}\{#AppExe}"; Parameters: "--demo"; Comment: "The demo force: invented people, nothing real"
Name: "{autodesktop}\{#AppName}"; Filename: "{app}\{#AppExe}"; Tasks: desktopicon

[Run]
Filename: "{app}\{#AppExe}"; Description: "{cm:LaunchProgram,{#AppName}}"; Flags: nowait postinstall skipifsilent

[Code]
// Where the app keeps its data: platformdirs.user_data_dir("commmatters-desktop", appauthor=False).
function VaultFolder(): String;
begin
  Result := ExpandConstant('{localappdata}\commmatters-desktop');
end;

procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and DirExists(VaultFolder()) and not UninstallSilent() then
  begin
    if MsgBox('The program has been removed. Your vault is still in' + #13#10 + VaultFolder() + #13#10#13#10 +
              'Delete the vault as well? Everything in it (wards, priorities, plans, backups) will be lost ' +
              'unless you have a backup elsewhere. Choose No to keep it for a later install.',
              mbConfirmation, MB_YESNO or MB_DEFBUTTON2) = IDYES then
    begin
      DelTree(VaultFolder(), True, True, True);
      // Window layout and preferences (QSettings: organisation "CommunityMatters").
      RegDeleteKeyIncludingSubkeys(HKCU, 'Software\CommunityMatters\commmatters-desktop');
    end;
  end;
end;
