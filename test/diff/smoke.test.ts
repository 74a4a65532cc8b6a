import { diffSuite } from './harness';

diffSuite('smoke', [
  {
    name: 'ping echo get set',
    steps: [
      ['PING'],
      ['PING', 'hello'],
      ['ECHO', 'x\x00\xff'],
      ['SET', 'k', 'v'],
      ['GET', 'k'],
      ['GET', 'missing'],
      ['NOSUCHCMD', 'a', 'b'],
      ['GET'],
    ],
  },
]);
