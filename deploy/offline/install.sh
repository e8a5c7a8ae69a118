#!/usr/bin/env bash
# 离线安装 kb @VERSION@：不连网络，只用本文件夹中的安装包（Linux x86_64 / aarch64）。
# 用法：./install.sh [安装到的文件夹，默认 /opt/kb/venv] [--with ocr] [--with opensearch]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
target=""
extras=""
finds=(--find-links "$here/wheels")
while [ $# -gt 0 ]; do
  case "$1" in
    --with)
      if [ $# -lt 2 ]; then echo "--with 后面要写可选部分：ocr 或 opensearch" >&2; exit 2; fi
      case "$2" in
        ocr | opensearch) ;;
        *) echo "不认识的可选部分：$2（可选：ocr、opensearch）" >&2; exit 2 ;;
      esac
      if [ ! -d "$here/extras/$2" ]; then echo "本安装包没有可选部分 $2" >&2; exit 2; fi
      extras="${extras:+$extras,}$2"
      finds+=(--find-links "$here/extras/$2")
      shift 2
      ;;
    -h | --help) sed -n '2,3p' "$0"; exit 0 ;;
    *) target="$1"; shift ;;
  esac
done
target=${target:-/opt/kb/venv}
python=${PYTHON:-python3}
if ! command -v "$python" > /dev/null; then
  echo "找不到 $python：请先安装 Python 3.11 或更新版本，或用 PYTHON=/路径/python3 ./install.sh" >&2
  exit 2
fi
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))'; then
  echo "kb 需要 Python 3.11 或更新版本（现在是 $("$python" -V 2>&1)）" >&2
  exit 2
fi
if [ -e "$target" ] && [ -n "$(ls -A "$target" 2> /dev/null)" ] && [ ! -x "$target/bin/python" ]; then
  echo "$target 已存在且不是空文件夹，请换一个安装位置" >&2
  exit 2
fi
echo "正在安装到 $target ……"
"$python" -m venv "$target"
requirement="kb==@VERSION@"
if [ -n "$extras" ]; then requirement="kb[$extras]==@VERSION@"; fi
# No configuration file, no PIP_* setting, no index: only the wheels beside this script.
for setting in $(env | grep -o '^PIP_[A-Za-z0-9_]*' || true); do unset "$setting"; done
PIP_CONFIG_FILE=/dev/null PIP_DISABLE_PIP_VERSION_CHECK=1 \
  "$target/bin/python" -m pip install --no-index "${finds[@]}" "$requirement"
echo "安装完成：$target/bin/kb"
echo "下一步：$target/bin/kb init /srv/kb   （建立实例文件夹，见 安装说明.txt）"
