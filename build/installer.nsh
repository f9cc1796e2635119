; Included by electron-builder's NSIS installer (nsis.include in build/electron-builder.config.ts).
;
; Registers the clinicdesk:// link scheme when the app is installed, so a link works before
; anyone has started the app (the app also registers it for the current user at every start).
; SHELL_CONTEXT is HKLM for a per-machine install ("anyone who uses this computer") and HKCU
; for a per-user one, matching where the installer put the app.

!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\clinicdesk" "" "URL:Clinic Desk link"
  WriteRegStr SHELL_CONTEXT "Software\Classes\clinicdesk" "URL Protocol" ""
  WriteRegStr SHELL_CONTEXT "Software\Classes\clinicdesk\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\clinicdesk\shell\open\command" "" '"$appExe" "%1"'
!macroend

!macro customUnInstall
  ; An update runs the old uninstaller first; keep the scheme so links keep working throughout.
  ${ifNot} ${isUpdated}
    DeleteRegKey SHELL_CONTEXT "Software\Classes\clinicdesk"
  ${endIf}
!macroend
