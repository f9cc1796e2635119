@echo off
rem clinic-desk.cmd: the command line of the installed Clinic Desk (doctor, doctor --policy FILE,
rem watch, --version), shipped in the app's resources\bin. As VS Code's code.cmd does, it runs the
rem app's own binary as Node.js (ELECTRON_RUN_AS_NODE=1) on the bundled out\main\cli.js. While the
rem app's runAsNode fuse is off (as built: build/fuses.ts), Electron ignores ELECTRON_RUN_AS_NODE
rem and starts the app instead, which finds the same arguments and runs the command itself,
rem without a window. A batch file waits for the app to exit, and passes on its exit code.
setlocal
set ELECTRON_RUN_AS_NODE=1
"%~dp0..\..\Clinic Desk.exe" "%~dp0..\app.asar\out\main\cli.js" %*
endlocal & exit /b %ERRORLEVEL%
