import { expect } from 'chai';
import { environmentSetting, formatSettingsTable, parameterSetting, SettingsReader } from '../../src/config/setting.js';
import { oneOf, text, wholeNumber } from '../../src/config/setting-decoders.js';

const port = environmentSetting('PORT', { doc: 'a port', decoder: wholeNumber(0, 65535), defaultValue: 80 });
const colour = environmentSetting('COLOUR', { doc: 'a colour', decoder: oneOf(['red', 'green']) });
const label = parameterSetting('someLabel', 'string', { doc: 'a label', decoder: text('a label text') });

describe('settings table', () => {
  it('reads a set value, falls back to the default when unset or blank, and to undefined without one', () => {
    expect(new SettingsReader({ PORT: ' 8080 ' }, {}).read(port)).to.equal(8080);
    expect(new SettingsReader({ PORT: '  ' }, {}).read(port)).to.equal(80);
    expect(new SettingsReader({}, {}).read(colour)).to.equal(undefined);
  });

  it('reads a parameter setting from the decoded parameters, by its camelCase key', () => {
    expect(label.variable).to.equal('PARAMETERS_SOMELABEL');
    expect(new SettingsReader({ PARAMETERS_SOMELABEL: 'ignored' }, { someLabel: 'x' }).read(label)).to.equal('x');
  });

  it('records an invalid value with the expected form, and goes on with the default', () => {
    const reader = new SettingsReader({ PORT: 'http', COLOUR: 'blue' }, {});
    expect(reader.read(port)).to.equal(80);
    expect(reader.read(colour)).to.equal(undefined);
    expect(reader.problems).to.deep.equal([
      { variable: 'PORT', message: 'PORT="http" must be a whole number from 0 to 65535' },
      { variable: 'COLOUR', message: 'COLOUR="blue" must be one of red, green' },
    ]);
  });

  it('records a missing required setting with who needs it and the form', () => {
    const reader = new SettingsReader({}, {});
    reader.require(label, 'for the test');
    expect(reader.problems).to.deep.equal([
      { variable: 'PARAMETERS_SOMELABEL', message: 'PARAMETERS_SOMELABEL is required for the test: a label text' },
    ]);
  });

  it('keeps the first problem of a variable only', () => {
    const reader = new SettingsReader({ PORT: 'x' }, {}, [{ variable: 'PORT', message: 'first' }]);
    reader.read(port);
    reader.report('PORT', 'third');
    expect(reader.problems).to.deep.equal([{ variable: 'PORT', message: 'first' }]);
  });

  it('counts a setting as secret unless it is marked otherwise, and says whether it was given', () => {
    const token = environmentSetting('SOME_TOKEN', { doc: 'a token', decoder: text('a token') });
    expect(token.secret).to.equal(true);
    expect(environmentSetting('SOME_PORT', { doc: 'a port', decoder: wholeNumber(0), secret: false }).secret).to.equal(false);
    expect(label.secret).to.equal(true);
    expect(new SettingsReader({ SOME_TOKEN: ' x ' }, {}).isSet(token)).to.equal(true);
    expect(new SettingsReader({ SOME_TOKEN: '  ' }, {}).isSet(token)).to.equal(false);
    expect(new SettingsReader({}, { someLabel: 'x' }).isSet(label)).to.equal(true);
  });

  it('prints sections of aligned rows with their defaults', () => {
    expect(formatSettingsTable([{ title: 'Things', settings: [port, colour] }])).to.deep.equal([
      '',
      'Things:',
      '  PORT    a port (default 80)',
      '  COLOUR  a colour',
    ]);
  });
});
