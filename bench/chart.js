// A dependency-free SVG line chart: throughput against N, both axes logarithmic,
// one line per implementation, one panel per element type.
'use strict';
const { sizeLabel } = require('./measure');

const palette = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f',
  '#bcbd22', '#17becf', '#000000', '#aec7e8'];

function escape(s) {
  return String(s).replace(/&/g, '&amp;').replace(/</g, '&lt;');
}

/** series: [{ name, points: [{ n, value }] }] for each panel title. */
function lineChart(panels, { yLabel }) {
  const W = 560, H = 380, left = 64, right = 16, top = 36, bottom = 48;
  const names = [...new Set(panels.flatMap((p) => p.series.map((s) => s.name)))];
  const color = (name) => palette[names.indexOf(name) % palette.length];
  // Past the palette's twelve colours the lines are dashed, so that no two look alike.
  const dash = (name) => (names.indexOf(name) >= palette.length ? ' stroke-dasharray="7 4"' : '');
  const legendH = 18 * Math.ceil(names.length / 3) + 12;
  const width = W * panels.length, height = H + legendH;
  const out = [`<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="${width}" height="${height}" fill="white"/>`];
  panels.forEach((panel, k) => {
    const x0 = k * W;
    const all = panel.series.flatMap((s) => s.points).filter((p) => p.value > 0);
    const nMin = Math.min(...all.map((p) => p.n)), nMax = Math.max(...all.map((p) => p.n));
    const vMin = 10 ** Math.floor(Math.log10(Math.min(...all.map((p) => p.value))));
    const vMax = 10 ** Math.ceil(Math.log10(Math.max(...all.map((p) => p.value))));
    const px = (n) => x0 + left + ((Math.log(n) - Math.log(nMin)) / (Math.log(nMax) - Math.log(nMin))) * (W - left - right);
    const py = (v) => top + (1 - (Math.log(v) - Math.log(vMin)) / (Math.log(vMax) - Math.log(vMin))) * (H - top - bottom);
    out.push(`<text x="${x0 + W / 2}" y="20" text-anchor="middle" font-size="14">${escape(panel.title)}</text>`);
    for (let v = vMin; v <= vMax * 1.0001; v *= 10) {
      out.push(`<line x1="${px(nMin)}" x2="${px(nMax)}" y1="${py(v)}" y2="${py(v)}" stroke="#ddd"/>`,
        `<text x="${x0 + left - 6}" y="${py(v) + 4}" text-anchor="end">${v >= 1 ? v : v.toPrecision(1)}</text>`);
    }
    for (const n of [...new Set(all.map((p) => p.n))]) {
      const label = sizeLabel(n);
      out.push(`<line x1="${px(n)}" x2="${px(n)}" y1="${top}" y2="${H - bottom}" stroke="#eee"/>`,
        `<text x="${px(n)}" y="${H - bottom + 16}" text-anchor="middle">${label}</text>`);
    }
    out.push(`<text x="${x0 + W / 2}" y="${H - 12}" text-anchor="middle">N (elements)</text>`,
      `<text transform="translate(${x0 + 16},${(top + H - bottom) / 2}) rotate(-90)" text-anchor="middle">${escape(yLabel)}</text>`);
    for (const s of panel.series) {
      const pts = s.points.filter((p) => p.value > 0).map((p) => `${px(p.n).toFixed(1)},${py(p.value).toFixed(1)}`);
      out.push(`<polyline fill="none" stroke="${color(s.name)}"${dash(s.name)} stroke-width="2" points="${pts.join(' ')}"/>`);
    }
  });
  names.forEach((name, i) => {
    const x = 20 + (i % 3) * (width / 3), y = H + 10 + 18 * Math.floor(i / 3);
    out.push(`<line x1="${x}" x2="${x + 22}" y1="${y}" y2="${y}" stroke="${color(name)}"${dash(name)} stroke-width="3"/>`,
      `<text x="${x + 28}" y="${y + 4}">${escape(name)}</text>`);
  });
  out.push('</svg>');
  return out.join('\n');
}

module.exports = { lineChart };
