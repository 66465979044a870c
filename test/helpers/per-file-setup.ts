import nock from 'nock';

// No test talks to the internet: cloud APIs (Slack Web API, Bot Framework connector) are faked
// with nock; everything else the suite needs runs on loopback.
nock.disableNetConnect();
nock.enableNetConnect((host) => /^(127\.\d+\.\d+\.\d+|localhost|\[::1\]|::1)(:\d+)?$/.test(host));
