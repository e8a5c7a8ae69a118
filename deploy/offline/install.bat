@echo off
chcp 65001 > nul
setlocal EnableDelayedExpansion
rem 离线安装 kb @VERSION@：不连网络，只用本文件夹中的安装包（Windows x86_64）。
rem 用法：install.bat [安装到的文件夹，默认 C:\kb\venv] [--with ocr] [--with opensearch]
set "HERE=%~dp0"
set "TARGET="
set "EXTRAS="
set FINDS=--find-links "%HERE%wheels"
:arguments
if "%~1"=="" goto chosen
if /i "%~1"=="--with" (
  if "%~2"=="" (
    echo --with 后面要写可选部分：ocr 或 opensearch
    exit /b 2
  )
  if not exist "%HERE%extras\%~2\" (
    echo 本安装包没有可选部分 %~2（可选：ocr、opensearch）
    exit /b 2
  )
  if defined EXTRAS (set "EXTRAS=!EXTRAS!,%~2") else (set "EXTRAS=%~2")
  set FINDS=!FINDS! --find-links "%HERE%extras\%~2"
  shift
  shift
  goto arguments
)
set "TARGET=%~1"
shift
goto arguments
:chosen
if not defined TARGET set "TARGET=C:\kb\venv"
set "PY=py -3"
where py > nul 2> nul || set "PY=python"
%PY% -c "import sys; sys.exit(sys.version_info < (3, 11))"
if errorlevel 1 (
  echo kb 需要 Python 3.11 或更新版本，请先安装 Python（安装时勾选 Add python.exe to PATH）
  exit /b 2
)
echo 正在安装到 %TARGET% ……
%PY% -m venv "%TARGET%"
if errorlevel 1 exit /b 1
set "REQUIREMENT=kb==@VERSION@"
if defined EXTRAS set "REQUIREMENT=kb[!EXTRAS!]==@VERSION@"
rem No configuration file, no PIP_* setting, no index: only the wheels beside this script.
for /f "delims==" %%v in ('set PIP_ 2^>nul') do set "%%v="
set "PIP_CONFIG_FILE=nul"
set "PIP_DISABLE_PIP_VERSION_CHECK=1"
"%TARGET%\Scripts\python.exe" -m pip install --no-index !FINDS! "!REQUIREMENT!"
if errorlevel 1 exit /b 1
echo 安装完成：%TARGET%\Scripts\kb.exe
echo 下一步：%TARGET%\Scripts\kb.exe init D:\kb   （建立实例文件夹，见 安装说明.txt）
