import { screen } from '@testing-library/react';
import { detailOf, library, makeState, renderScreen } from './testFixture';
import { Detail } from './Detail';

const noop = () => undefined;

function show(over: Parameters<typeof detailOf>[1], lang: 'zh' | 'en' = 'zh') {
  const d = detailOf('GB1-01', over);
  renderScreen(
    <Detail
      detail={d}
      library={library}
      busy={false}
      frozen={false}
      known={() => true}
      onUnlink={noop}
      onAddEvidence={noop}
      onAddFinding={noop}
      onEditFinding={noop}
      onJump={noop}
    />,
    makeState(),
    lang,
  );
}

test('parameters and deadlines come in words from the core, each with its own basis', () => {
  show({
    values: [
      { kind: 'param', text: { zh: 'log_retention >= 6 个月', en: 'log_retention >= 6 months' } },
      {
        kind: 'deadline',
        text: { zh: '每1年一次（当 platform_level >= 3）', en: 'every 1 year (when platform_level >= 3)' },
        basis: { zh: '二手来源；《通信网络安全防护管理办法》', en: 'secondary source; MIIT measures' },
        provenance: 'secondary',
      },
    ],
  });
  const v = screen.getByTestId('detail-values');
  expect(v.textContent).toContain('log_retention >= 6 个月');
  expect(v.textContent).toContain('每1年一次');
  const basis = screen.getAllByTestId('value-basis');
  expect(basis).toHaveLength(1);
  expect(basis[0].textContent).toContain('《通信网络安全防护管理办法》');
});

test('a requirement read in an unofficial full text says so, not "inferred"', () => {
  const d = detailOf('GB1-01');
  show({ requirement: { ...d.requirement, provenance: 'fulltext', to_confirm: true } }, 'en');
  const mark = screen.getByTestId('to-confirm-mark');
  expect(mark.textContent).toContain('from an unofficial full text');
  expect(mark.textContent).not.toContain('to be confirmed');
});
