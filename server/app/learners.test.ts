import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { participantCookieName, type CredentialSource } from './credentials.js';
import { Participants } from './participants.js';
import { identify, learnerCookie, learnerCookieName, newLearnerId, operatorLearner, reaches, requestLearner, type Caller } from './learners.js';

const token = 'the-run-token-0123456789';
const cookieName = learnerCookieName(8470);
const ada = newLearnerId();
const bob = newLearnerId();
const participants = new Participants();
const joined = participants.join(participants.invite({ role: 'learner', scope: 'room-1', short: true }), 'Cleo');
const source: CredentialSource = { token, tokenCookie: () => 'mtls_lab_token_8470', participantCookie: () => participantCookieName(8470), participants };
const request = (headers: Record<string, string>): IncomingMessage => ({ headers }) as unknown as IncomingMessage;

describe('who a request comes from', () => {
  const cases: Array<{ name: string; headers: Record<string, string>; caller: Caller }> = [
    { name: 'a page: the token cookie and a learner cookie', headers: { cookie: `mtls_lab_token_8470=${token}; ${cookieName}=${ada}` }, caller: { learner: ada, operator: false, host: true } },
    { name: 'a page that has no learner cookie yet', headers: { cookie: `mtls_lab_token_8470=${token}` }, caller: { learner: null, operator: false, host: true } },
    { name: 'a script with the token as Bearer', headers: { authorization: `Bearer ${token}` }, caller: { learner: operatorLearner, operator: true, host: true } },
    { name: 'a script with the token and a learner cookie', headers: { authorization: `bearer ${token}`, cookie: `${cookieName}=${ada}` }, caller: { learner: ada, operator: true, host: true } },
    { name: 'a wrong Bearer is no one, whatever the cookies', headers: { authorization: `Bearer ${token}x`, cookie: `mtls_lab_token_8470=${token}; ${cookieName}=${ada}` }, caller: { learner: null, operator: false, host: false } },
    { name: 'the token in the cookie is no operator', headers: { cookie: `mtls_lab_token_8470=${token}; ${cookieName}=${ada}`, authorization: 'Basic abc' }, caller: { learner: ada, operator: false, host: true } },
    { name: "another port's learner cookie is not this server's", headers: { cookie: `mtls_lab_token_8470=${token}; ${learnerCookieName(8471)}=${ada}` }, caller: { learner: null, operator: false, host: true } },
    { name: 'a learner cookie of the wrong shape is none', headers: { cookie: `mtls_lab_token_8470=${token}; ${cookieName}=operator` }, caller: { learner: null, operator: false, host: true } },
    { name: 'a learner cookie too short is none', headers: { cookie: `mtls_lab_token_8470=${token}; ${cookieName}=${ada.slice(1)}` }, caller: { learner: null, operator: false, host: true } },
    { name: 'a learner cookie without any token is no one', headers: { cookie: `${cookieName}=${ada}` }, caller: { learner: null, operator: false, host: false } },
    { name: "a participant's cookie: their own learner, whatever learner cookie comes with it", headers: { cookie: `${participantCookieName(8470)}=${joined.token}; ${cookieName}=${ada}` }, caller: { learner: joined.participant.learner, operator: false, host: false, participant: joined.participant } },
    { name: "a participant's token as Bearer", headers: { authorization: `Bearer ${joined.token}` }, caller: { learner: joined.participant.learner, operator: false, host: false, participant: joined.participant } },
    { name: "a participant's token in the run token's cookie is nothing", headers: { cookie: `mtls_lab_token_8470=${joined.token}` }, caller: { learner: null, operator: false, host: false } },
    { name: 'the run token and a participant cookie: the host', headers: { cookie: `mtls_lab_token_8470=${token}; ${participantCookieName(8470)}=${joined.token}; ${cookieName}=${ada}` }, caller: { learner: ada, operator: false, host: true } },
  ];
  it.each(cases)('$name', ({ headers, caller }) => {
    expect(identify(request(headers), source, cookieName)).toEqual(caller);
  });

  it('never takes the operator’s key for a learner id', () => {
    expect(requestLearner(request({ cookie: `${cookieName}=${operatorLearner}` }), cookieName)).toBeUndefined();
  });

  it('mints ids of 16 random bytes, each new, in an HttpOnly SameSite=Strict cookie', () => {
    expect(ada).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(ada).not.toBe(bob);
    expect(learnerCookie(cookieName, ada)).toBe(`mtls_lab_learner_8470=${ada}; HttpOnly; SameSite=Strict; Path=/; Max-Age=31536000`);
  });
});

describe('whose sandbox a caller reaches', () => {
  const cases: Array<[string, Caller, string, boolean]> = [
    ['a learner, their own', { learner: ada, operator: false, host: false }, ada, true],
    ["a learner, another's", { learner: bob, operator: false, host: false }, ada, false],
    ["a learner, the operator's", { learner: ada, operator: false, host: false }, operatorLearner, false],
    ['a socket with no learner', { learner: null, operator: false, host: false }, ada, false],
    ["the operator, a learner's", { learner: operatorLearner, operator: true, host: true }, ada, true],
    ["the operator as a learner, another's", { learner: bob, operator: true, host: true }, ada, true],
  ];
  it.each(cases)('%s', (_name, caller, owner, reached) => {
    expect(reaches(caller, owner)).toBe(reached);
  });
});
