#!/bin/sh
# Rebuilds the converted fixtures from the .docx and .xlsx files beside them in testdata/.
# Needs LibreOffice (Debian: apt-get install libreoffice-writer libreoffice-calc), qpdf,
# poppler-utils and img2pdf; run from the module root: sh loader/testdata/converted/convert.sh
set -eu
out=loader/testdata/converted
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
convert() { # convert SRC FORMAT DIR
	soffice -env:UserInstallation="file://$work/profile" --headless --convert-to "$2" --outdir "$3" "$1" >/dev/null
}
for dir in loader/testdata/real/*/; do
	id=$(basename "$dir")
	mkdir -p "$out/$id"
	convert "$dir$id.docx" pdf "$out/$id"
	convert "$dir$id.docx" doc "$out/$id"
	convert "$dir$id.xlsx" xls "$out/$id"
done
# Three self-evaluation tables (绩效自评表) of the real self-evaluation corpus: a project's,
# Yunnan's 决算 form with a two-row header, a whole unit's.
for id in anhui-guichi-2022-entrusted yunnan-yongde-2022-nutrition hubei-tongcheng-2020-tanghu-dept; do
	dir=loader/testdata/real-eval/$id/
	mkdir -p "$out/$id"
	convert "$dir$id.docx" pdf "$out/$id"
	convert "$dir$id.docx" doc "$out/$id"
	convert "$dir$id.xlsx" xls "$out/$id"
done
for src in loader/testdata/parse/tianjin-374101-2024-docx/tianjin-374101-2024.docx \
	loader/testdata/parse/chongqing-fengjie-2023-docx/chongqing-fengjie-2023.docx; do
	id=$(basename "$src" .docx)
	mkdir -p "$out/$id"
	convert "$src" pdf "$out/$id"
	convert "$src" doc "$out/$id"
done
src=loader/testdata/parse/sichuan-jingyan-820001-2023-xlsx/sichuan-jingyan-820001-2023.xlsx
mkdir -p "$out/sichuan-jingyan-820001-2023"
convert "$src" xls "$out/sichuan-jingyan-820001-2023"
# Every workbook of both real corpora saved again by Calc as .xlsx (<id>-calc.xlsx): a second
# producer of SpreadsheetML besides excelize, whose shared strings, styles and layout differ.
for src in loader/testdata/real/*/*.xlsx loader/testdata/real-eval/*/*.xlsx; do
	id=$(basename "$src" .xlsx)
	mkdir -p "$out/$id" "$work/calc"
	convert "$src" 'xlsx:Calc MS Excel 2007 XML' "$work/calc"
	mv "$work/calc/$id.xlsx" "$out/$id/$id-calc.xlsx"
done
# Web pages printed to PDF by Chromium (Debian's chromium), without header and footer. Only the
# pages whose PDF loads as the page does are kept (see README.md for the others).
for id in anhui-huaibei-2025-ruralculture anhui-jinan-2025-tennis anhui-jinzhai-2021-property \
	hubei-huangshi-2022-partyschool hubei-qingshan-2020-eduinfra hubei-qingshan-2020-schoolrepair \
	hunan-nanyue-2018-assetincome hunan-yueyang-2022-farmland ningxia-yinchuan-2019-schoolsports \
	shandong-linyixian-2025-schoolfunds zhejiang-cixi-2023-childcare; do
	chromium --headless --no-sandbox --disable-gpu --no-pdf-header-footer \
		--print-to-pdf="$out/$id/$id-chromium.pdf" "file://$PWD/loader/testdata/real/$id/$id.html" 2>/dev/null
done
