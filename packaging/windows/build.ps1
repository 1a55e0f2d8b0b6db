# Build the LocalChat Windows installer.  Usage (PowerShell, from anywhere):
#     packaging\windows\build.ps1 -Flavour cpu        # or: -Flavour directml
# The flavour is decided only by which extra of LocalChat the build environment gets (one flavour each):
#   cpu      -> .[cpu]   = onnxruntime-genai        (runs everywhere)
#   directml -> .[winml] = onnxruntime-genai-winml  (DirectX 12 GPUs; falls back to the CPU when none starts)
# Output: dist\LocalChat-<version>-windows-<flavour>-setup.exe.  Needs Python 3.10+ and NSIS (makensis).
param([ValidateSet("cpu", "directml")][string]$Flavour = "cpu")
$ErrorActionPreference = "Stop"
$Root = Resolve-Path "$PSScriptRoot\..\.."
Set-Location $Root
$Version = (Select-String -Path app\__init__.py -Pattern '__version__ = "(.*)"').Matches[0].Groups[1].Value
$Venv = "$Root\build\venv-$Flavour"

function Run { param([string]$Exe) & $Exe @args; if ($LASTEXITCODE -ne 0) { throw "$Exe failed ($LASTEXITCODE)" } }

if (-not (Test-Path "$Venv\Scripts\python.exe")) { Run python -m venv $Venv }
$Py = "$Venv\Scripts\python.exe"
Run $Py -m pip install -q --upgrade pip
$Extra = @{ cpu = "cpu"; directml = "winml" }[$Flavour]
Run $Py -m pip install -q "$Root[$Extra]" pyinstaller onnx

Run $Py packaging\make_icons.py
if (Test-Path dist\localchat) { Remove-Item -Recurse -Force dist\localchat }
Run "$Venv\Scripts\pyinstaller.exe" --noconfirm --log-level WARN --distpath dist --workpath build\pyinstaller packaging\localchat.spec

# Smoke test of the onedir before packing it (the console twin prints; both write the JSON).
Run dist\localchat\localchat-cli.exe --version
Run dist\localchat\localchat-cli.exe self-test --output build\selftest-onedir.json

$Out = "$Root\dist\LocalChat-$Version-windows-$Flavour-setup.exe"
Run makensis /V2 "/DVERSION=$Version" "/DFLAVOUR=$Flavour" "/DSOURCE=$Root\dist\localchat" "/DOUTFILE=$Out" `
    "/DICON=$Root\resources\icons\localchat.ico" packaging\windows\localchat.nsi
Get-Item $Out | Select-Object Name, Length
