// Normalisation of feed records, field by field: text cleaning and full-width folding, timestamps, phone
// numbers and display masks, geocoding of address text and coordinates. All functions are pure (the Geocoder
// only reads the Reference it was built from); the record-level pipeline that combines them, and decides what
// is quarantined or flagged, lives with ingest.
export {
	CONTENT_MAX_CHARS,
	CONTENT_MIN_CHARS,
	KEPT_FULLWIDTH,
	cleanText,
	contentLength,
	cutChars,
	looksLikeHtml,
	toHalfWidth,
	type CleanText,
	type TextFlag
} from './text';
export { SHANGHAI_OFFSET_MIN, TIME_MAX_MS, TIME_MIN_MS, formatShanghai, parseTime } from './time';
export { SUZHOU_AREA_CODE, dialNumber, isMobile, maskName, maskPhone, normalizePhone } from './phone';
export {
	DEFAULT_LANDMARKS,
	DEFAULT_NOT_PLACES,
	Geocoder,
	checkLonLat,
	type GeocodeConfidence,
	type GeocodeHint,
	type GeocodeResult,
	type GeocoderOptions,
	type Landmark
} from './geocode';
