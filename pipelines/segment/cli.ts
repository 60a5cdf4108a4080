/**
 * `npm run cli -- segment [--no-dict] [--hmm]`: reads lines on stdin and writes each line's words separated
 * by single spaces, one output line per input line (empty lines stay empty), so the output can be scored
 * against a segmentation gold file (SIGHAN format). CRLF input is accepted; output lines end with LF.
 *
 *   --no-dict   without the user dictionary (places, units, hotline terms)
 *   --hmm       jieba's HMM for unknown words (off by default: it lowers F1 on the PKU standard)
 * (`segment --help`: the command line's help of it)
 */
import { createInterface } from 'node:readline';
import { parseArgs } from 'node:util';
import { LineOutput } from '../cli-output';
import { createSegmenter, type SegmenterOptions } from './index';

/** Runs the command; resolves when stdin has ended and everything is written. Throws on bad arguments. */
export async function segmentCli(
	args: string[],
	stdin: NodeJS.ReadableStream,
	stdout: NodeJS.WritableStream,
	options: Pick<SegmenterOptions, 'referenceDir' | 'dictDir' | 'cacheDir'> = {}
): Promise<void> {
	const { values } = parseArgs({
		args,
		options: { 'no-dict': { type: 'boolean', default: false }, hmm: { type: 'boolean', default: false } },
		allowPositionals: false,
		strict: true
	});
	const out = new LineOutput(stdout);
	const seg = createSegmenter({ ...options, userDict: !values['no-dict'], hmm: values.hmm });
	const rl = createInterface({ input: stdin, crlfDelay: Infinity });
	for await (const line of rl) {
		await out.add(seg.cut(line).join(' ') + '\n');
		// a reader that goes away (`segment < big.txt | head`) ends the command quietly
		if (out.gone) break;
	}
	await out.end();
}
