export { GET } from '../../overview/+server';
