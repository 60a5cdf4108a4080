// A free TCP port on 127.0.0.1 for a test or benchmark server, and a proxy whose far side can be cut off.
import { connect, createServer } from 'node:net';

export function freePort(): Promise<number> {
	return new Promise((res, rej) => {
		const s = createServer();
		s.once('error', rej);
		s.listen(0, '127.0.0.1', () => {
			const { port } = s.address() as { port: number };
			s.close(() => res(port));
		});
	});
}

/** A TCP proxy on 127.0.0.1 to `target`, which `cut` makes unreachable (its connections dropped, new ones refused) and `resume` reachable again on the same port. */
export async function tcpProxy(target: { host: string; port: number }): Promise<{ port: number; cut(): Promise<void>; resume(): Promise<void>; close(): Promise<void> }> {
	const sockets = new Set<import('node:net').Socket>();
	const make = () =>
		createServer((client) => {
			const server = connect(target.port, target.host);
			for (const s of [client, server]) {
				sockets.add(s);
				s.on('close', () => sockets.delete(s));
				s.on('error', () => {
					client.destroy();
					server.destroy();
				});
			}
			client.pipe(server).pipe(client);
		});
	let listener = make();
	const listen = (port: number) =>
		new Promise<number>((res, rej) => {
			listener.once('error', rej);
			listener.listen(port, '127.0.0.1', () => res((listener.address() as { port: number }).port));
		});
	const port = await listen(0);
	const cut = async () => {
		for (const s of sockets) s.destroy();
		await new Promise<void>((res) => listener.close(() => res()));
	};
	return {
		port,
		cut,
		async resume() {
			listener = make();
			await listen(port);
		},
		close: () => (listener.listening ? cut() : Promise.resolve())
	};
}
