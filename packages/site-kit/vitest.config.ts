import { packageProject } from '../../vitest.shared.js';

export default packageProject('site-kit');
