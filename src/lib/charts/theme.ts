// Colours and type for every chart in the app, in one place.
// ECharts draws on a canvas and cannot read CSS custom properties, so these values mirror the tokens in
// src/lib/ui/app.css (keep the two in step). A dark wall-display theme is a second ChartTheme object passed
// to the option builders; nothing else has to change.

export interface ChartTheme {
	/** Categorical series colours, first = primary. */
	palette: string[];
	/** The main series (volume). */
	primary: string;
	/** Fill under the main series line (rgba). */
	primaryArea: string;
	/** Secondary line (moving average, baseline). */
	secondary: string;
	/** Text on the chart (axis names, labels). */
	text: string;
	/** Less important text (axis tick labels). */
	textMuted: string;
	/** Axis lines and split lines. */
	axisLine: string;
	splitLine: string;
	/** Tooltip box. */
	tooltipBackground: string;
	tooltipBorder: string;
	tooltipText: string;
	fontFamily: string;
	fontSize: number;
}

export const FONT_FAMILY = '"Noto Sans CJK SC","PingFang SC","Microsoft YaHei",sans-serif';

export const lightTheme: ChartTheme = {
	palette: ['#1d4f91', '#2f7fc1', '#5aa0d8', '#8a6d3b', '#3f7f5f', '#9a4a6b', '#6b6f7b', '#c07a2c'],
	primary: '#1d4f91',
	primaryArea: 'rgba(29, 79, 145, 0.12)',
	secondary: '#c07a2c',
	text: '#1f2a3d',
	textMuted: '#5b6778',
	axisLine: '#c5ceda',
	splitLine: '#e6ebf1',
	tooltipBackground: '#ffffff',
	tooltipBorder: '#c5ceda',
	tooltipText: '#1f2a3d',
	fontFamily: FONT_FAMILY,
	fontSize: 12
};

export const defaultTheme = lightTheme;

/** The wall display (大屏): dark background, large type. */
export const darkTheme: ChartTheme = {
	palette: ['#4fc3f7', '#81c784', '#ffb74d', '#ba68c8', '#e57373', '#4db6ac', '#90a4ae', '#fff176'],
	primary: '#4fc3f7',
	primaryArea: 'rgba(79, 195, 247, 0.18)',
	secondary: '#ffb74d',
	text: '#e6edf3',
	textMuted: '#9fb3c8',
	axisLine: '#35506b',
	splitLine: '#1e3348',
	tooltipBackground: '#0f2233',
	tooltipBorder: '#35506b',
	tooltipText: '#e6edf3',
	fontFamily: FONT_FAMILY,
	fontSize: 16
};
