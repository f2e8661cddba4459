// 设置: language, assessor name, seal image, signing identities (create a
// local CA, import a .p12 — chosen or dropped on the window, choosing one
// key when the file holds several —, delete one), report templates, about.
// Works with no project.
import { useEffect, useState } from 'react';
import { Alert, Button, Card, Checkbox, Col, Descriptions, Empty, Input, Popconfirm, Radio, Row, Segmented, Space, Tag, Typography } from 'antd';
import { DeleteOutlined, ImportOutlined, PictureOutlined, PlusOutlined, SaveOutlined } from '@ant-design/icons';
import { api, onDrop, type IdentityInfo, type ImportOutcome, type KeyView, type Lang, type TemplateInfo } from '../api';
import { useT } from '../i18n';
import { KeyLabel } from '../components/KeyLabel';
import { useApp } from '../appctx';
import { Hash } from './evidence/Hash';

export function SettingsScreen() {
  const { settings, saveSettings, reportError } = useApp();
  const { t, tx } = useT();

  const [busy, setBusy] = useState<string | null>(null);
  const [assessor, setAssessor] = useState(settings.assessor);
  const [identities, setIdentities] = useState<IdentityInfo[] | null>(null);
  const [templates, setTemplates] = useState<TemplateInfo[] | null>(null);
  const [version, setVersion] = useState<string | null>(null);
  const [created, setCreated] = useState<IdentityInfo | null>(null);

  // create-identity form
  const [name, setName] = useState('');
  const [org, setOrg] = useState('');
  const [algo, setAlgo] = useState<'rsa' | 'p256'>('p256');
  const [sm2, setSm2] = useState(true);
  const [pw, setPw] = useState('');
  const [pw2, setPw2] = useState('');
  const [formError, setFormError] = useState<string | null>(null);
  // import
  const [importPw, setImportPw] = useState('');
  /** A .p12 dropped on the window (Rust keeps the path; this is its name). */
  const [dropped, setDropped] = useState<string | null>(null);
  /** A multi-key file waiting for the user to choose a key. */
  const [choose, setChoose] = useState<{ file: string; keys: KeyView[] } | null>(null);
  const [chosenKey, setChosenKey] = useState<string | null>(null);
  /** Changing the default key of a multi-key identity. */
  const [keyEdit, setKeyEdit] = useState<{ name: string; key: string | null; password: string } | null>(null);

  useEffect(() => setAssessor(settings.assessor), [settings.assessor]);

  useEffect(() => {
    api.identities().then(setIdentities).catch((e) => {
      reportError(e);
      setIdentities([]);
    });
    api.templates().then(setTemplates).catch((e) => {
      reportError(e);
      setTemplates([]);
    });
    api.appInfo().then((i) => setVersion(i.version)).catch((e) => reportError(e));
  }, [reportError]);

  // Files dropped on the window while Settings is shown: a .p12 to import.
  useEffect(() => {
    let off: (() => void) | undefined;
    let live = true;
    onDrop((names) => {
      const p12 = names.find((n) => /\.(p12|pfx)$/i.test(n)) ?? names[0];
      if (p12) {
        setDropped(p12);
        setChoose(null);
      }
    })
      .then((u) => {
        if (live) off = u;
        else u();
      })
      .catch(() => undefined);
    return () => {
      live = false;
      off?.();
    };
  }, []);

  const run = async (key: string, f: () => Promise<void>) => {
    setBusy(key);
    try {
      await f();
    } catch (e) {
      reportError(e);
    } finally {
      setBusy(null);
    }
  };

  const reloadIdentities = async () => setIdentities(await api.identities());

  const saveAssessor = () => run('assessor', () => saveSettings({ ...settings, assessor: assessor.trim() }));
  const pickSeal = () =>
    run('seal', async () => {
      const s = await api.sealPick();
      await saveSettings(s);
    });
  const clearSeal = () => run('seal-clear', () => saveSettings({ ...settings, seal: null }));

  const nameTaken = identities?.some((i) => i.name === name.trim()) ?? false;
  const create = () => {
    const n = name.trim();
    let err: string | null = null;
    if (!n) err = t('请填写身份名称。', 'Enter a name for the identity.');
    else if (nameTaken) err = t('已有同名身份。', 'An identity with this name exists.');
    else if (pw === '') err = t('请设置密码。', 'Choose a password.');
    else if (pw !== pw2) err = t('两次输入的密码不一致。', 'The two passwords differ.');
    setFormError(err);
    if (err) return;
    run('create', async () => {
      const info = await api.identityCreate({ name: n, org: org.trim(), algo, sm2, password: pw });
      setCreated(info);
      setName('');
      setPw('');
      setPw2('');
      await reloadIdentities();
    });
  };
  const imported = async (r: ImportOutcome) => {
    if (r.status === 'cancelled') return;
    if (r.status === 'choose_key') {
      setChoose({ file: r.file, keys: r.keys });
      setChosenKey(r.keys.find((k) => !k.problem && k.selector)?.selector ?? null);
      return;
    }
    setCreated(r.identity);
    setChoose(null);
    setDropped(null);
    setImportPw('');
    await reloadIdentities();
  };
  const importP12 = () => run('import', async () => imported(await api.identityImportPick(importPw)));
  const importDropped = () => run('import-dropped', async () => imported(await api.identityImportDropped(importPw)));
  const importChosen = () => run('import-key', async () => imported(await api.identityImportPending(importPw, chosenKey ?? '')));
  const saveKey = () =>
    run('set-key', async () => {
      if (!keyEdit?.key) return;
      const info = await api.identitySetKey(keyEdit.name, keyEdit.password, keyEdit.key);
      setKeyEdit(null);
      setIdentities((ids) => (ids ?? []).map((i) => (i.name === info.name ? info : i)));
    });
  const remove = (name: string) =>
    run(`delete-${name}`, async () => {
      setIdentities(await api.identityDelete(name));
      if (created?.name === name) setCreated(null);
    });

  const assessorDirty = assessor.trim() !== settings.assessor;
  const pwMismatch = pw2 !== '' && pw !== pw2;

  return (
    <Space orientation="vertical" size={12} style={{ width: '100%' }}>
      <Row gutter={12}>
        <Col span={12}>
          <Card size="small" title={t('常规', 'General')} style={{ height: '100%' }}>
            <Space orientation="vertical" size={12} style={{ width: '100%' }}>
              <div>
                <Typography.Text strong>{t('界面语言', 'Language')}</Typography.Text>
                <div style={{ marginTop: 4 }}>
                  <Segmented
                    value={settings.lang}
                    data-testid="settings-lang"
                    disabled={busy !== null}
                    options={[
                      { label: '中文', value: 'zh' },
                      { label: 'English', value: 'en' },
                    ]}
                    onChange={(v) => run('lang', () => saveSettings({ ...settings, lang: v as Lang }))}
                  />
                </div>
              </div>
              <div>
                <Typography.Text strong>{t('评估人员', 'Assessor')}</Typography.Text>
                <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 4px' }}>
                  {t('每次修改都会以此姓名记入变更日志。', 'Every change is recorded in the journal under this name.')}
                </Typography.Paragraph>
                <Space.Compact style={{ width: '100%' }}>
                  <Input value={assessor} onChange={(e) => setAssessor(e.target.value)} onPressEnter={saveAssessor} placeholder={t('姓名', 'Name')} data-testid="settings-assessor" />
                  <Button type="primary" icon={<SaveOutlined />} loading={busy === 'assessor'} disabled={!assessorDirty || assessor.trim() === '' || (busy !== null && busy !== 'assessor')} onClick={saveAssessor} data-testid="settings-assessor-save">
                    {t('保存', 'Save')}
                  </Button>
                </Space.Compact>
              </div>
              <div>
                <Typography.Text strong>{t('报告印章图片', 'Seal image for reports')}</Typography.Text>
                <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 4px' }}>
                  {t('PNG 图片，放在签名报告的签名页上。', 'A PNG placed on the signature page of the signed report.')}
                </Typography.Paragraph>
                <div data-testid="settings-seal-path" style={{ marginBottom: 4 }}>
                  {settings.seal ? <span className="mono">{settings.seal}</span> : <Typography.Text type="secondary">{t('未设置', 'None')}</Typography.Text>}
                </div>
                <Space>
                  <Button icon={<PictureOutlined />} loading={busy === 'seal'} disabled={busy !== null && busy !== 'seal'} onClick={pickSeal} data-testid="settings-seal">
                    {t('选择印章图片…', 'Choose seal image…')}
                  </Button>
                  {settings.seal && (
                    <Button loading={busy === 'seal-clear'} disabled={busy !== null && busy !== 'seal-clear'} onClick={clearSeal} data-testid="settings-seal-clear">
                      {t('移除', 'Remove')}
                    </Button>
                  )}
                </Space>
              </div>
            </Space>
          </Card>
        </Col>
        <Col span={12}>
          <Card size="small" title={t('关于', 'About')} style={{ height: '100%' }} data-testid="settings-about">
            <Descriptions
              size="small"
              column={1}
              items={[
                { key: 'app', label: t('软件', 'Application'), children: t('车联网安全合规评估工作台', 'IoV Compliance Audit Workbench') },
                { key: 'ver', label: t('版本', 'Version'), children: <span data-testid="settings-version">{version ?? '…'}</span> },
                { key: 'hash', label: t('证据哈希', 'Evidence hashes'), children: 'SHA-256 + SM3' },
                { key: 'sig', label: t('签名', 'Signatures'), children: t('PDF：PAdES（RSA / ECDSA P-256）；备案包：CMS，可选 SM2', 'PDF: PAdES (RSA / ECDSA P-256); package: CMS, optional SM2') },
              ]}
            />
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, marginTop: 8, marginBottom: 0 }}>
              {t('本软件离线运行，不联网，不上传任何数据。', 'The app runs offline: no network, nothing is uploaded.')}
            </Typography.Paragraph>
          </Card>
        </Col>
      </Row>

      <Card size="small" title={t('签名身份', 'Signing identities')}>
        {identities === null ? null : identities.length === 0 ? (
          <div data-testid="identity-list">
            <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('还没有签名身份。创建一个本地 CA，或导入机构发放的 .p12。', 'No signing identity yet. Create a local CA or import a .p12 from your organisation.')} />
          </div>
        ) : (
          <div data-testid="identity-list">
            {identities.map((i) => (
              <div key={i.name} data-testid={`identity-${i.name}`} style={{ padding: '6px 0', borderBottom: '1px solid #f0f0f0' }}>
                <Space size={6} wrap>
                  <Typography.Text strong>{i.name}</Typography.Text>
                  <Tag>{i.key}</Tag>
                  {i.has_sm2 ? <Tag color="green">{t('含 SM2', 'SM2: yes')}</Tag> : <Tag>{t('无 SM2', 'SM2: no')}</Tag>}
                  {i.ca_pem && <Tag color="blue">{t('本地 CA', 'Local CA')}</Tag>}
                  {(i.keys?.length ?? 0) > 1 && (
                    <Tag color="purple" data-testid={`identity-keys-${i.name}`}>
                      {t(`文件含 ${i.keys!.length} 个密钥`, `${i.keys!.length} keys in the file`)}
                    </Tag>
                  )}
                  {(i.keys?.length ?? 0) > 1 && (
                    <Button size="small" type="link" disabled={busy !== null} onClick={() => setKeyEdit({ name: i.name, key: i.key_alias ?? null, password: '' })} data-testid={`identity-setkey-${i.name}`}>
                      {t('更换签名密钥…', 'Change the signing key…')}
                    </Button>
                  )}
                  <Popconfirm
                    title={t(`删除签名身份“${i.name}”？`, `Delete the identity “${i.name}”?`)}
                    description={t('将删除应用保存的证书与私钥副本，无法恢复；已签名的报告和备案包不受影响。', 'The app’s copy of the certificate and key is deleted for good; reports and packages already signed stay valid.')}
                    okText={t('删除', 'Delete')}
                    cancelText={t('取消', 'Cancel')}
                    okButtonProps={{ danger: true, ...{ 'data-testid': `identity-delete-ok-${i.name}` } }}
                    onConfirm={() => remove(i.name)}
                  >
                    <Button size="small" type="text" danger icon={<DeleteOutlined />} loading={busy === `delete-${i.name}`} disabled={busy !== null && busy !== `delete-${i.name}`} data-testid={`identity-delete-${i.name}`}>
                      {t('删除', 'Delete')}
                    </Button>
                  </Popconfirm>
                </Space>
                <div style={{ fontSize: 12, color: '#595959' }}>
                  {i.organisation && <span>{i.organisation} · </span>}
                  <span title={i.subject}>{i.subject}</span>
                </div>
                <div style={{ fontSize: 12 }}>
                  {t('指纹', 'Fingerprint')} <Hash value={i.fingerprint_sha256} label="SHA-256" keep={32} />
                </div>
                {keyEdit?.name === i.name && (
                  <div data-testid="identity-setkey-panel" style={{ marginTop: 6, padding: 8, border: '1px solid #d6e4ff', borderRadius: 4 }}>
                    <Typography.Text strong>{t('签名时默认使用的密钥：', 'The key to sign with by default:')}</Typography.Text>
                    <Radio.Group name={`setkey-${i.name}`} value={keyEdit.key} onChange={(e) => setKeyEdit({ ...keyEdit, key: e.target.value })} style={{ display: 'flex', flexDirection: 'column', gap: 4, marginTop: 4 }}>
                      {(i.keys ?? []).map((k) => (
                        <Radio key={k.index} value={k.selector} disabled={!!k.problem || !k.selector} data-testid={`identity-setkey-key-${k.index}`}>
                          <KeyLabel k={k} />
                        </Radio>
                      ))}
                    </Radio.Group>
                    <Space.Compact style={{ width: '100%', marginTop: 6 }}>
                      <Input.Password value={keyEdit.password} onChange={(e) => setKeyEdit({ ...keyEdit, password: e.target.value })} placeholder={t('身份密码（用于核对所选密钥）', 'Identity password (checks the chosen key)')} autoComplete="off" data-testid="identity-setkey-password" />
                      <Button type="primary" loading={busy === 'set-key'} disabled={!keyEdit.key || keyEdit.password === '' || (busy !== null && busy !== 'set-key')} onClick={saveKey} data-testid="identity-setkey-save">
                        {t('使用此密钥', 'Use this key')}
                      </Button>
                      <Button onClick={() => setKeyEdit(null)} disabled={busy !== null}>
                        {t('取消', 'Cancel')}
                      </Button>
                    </Space.Compact>
                  </div>
                )}
              </div>
            ))}
          </div>
        )}
        {created && (
          <Alert
            style={{ marginTop: 8 }}
            type="success"
            showIcon
            closable={{ onClose: () => setCreated(null) }}
            data-testid="identity-created"
            title={t(`已添加签名身份“${created.name}”`, `Identity “${created.name}” added`)}
            description={t('请牢记密码：密码无法找回，导出时需要输入。', 'Remember the password: it cannot be recovered and is asked for on every export.')}
          />
        )}

        <Row gutter={16} style={{ marginTop: 12 }}>
          <Col span={14}>
            <Typography.Text strong>{t('创建本地 CA 与签名身份', 'Create a local CA and signing identity')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 6px' }}>
              {t('适用于自查：本机生成 CA 与签名证书。接收方需把 CA 证书作为信任锚才能确认签名者。', 'For self-checks: a CA and signing certificate made on this computer. Receivers must trust the CA certificate to confirm the signer.')}
            </Typography.Paragraph>
            <Space orientation="vertical" size={6} style={{ width: '100%' }}>
              <Space.Compact style={{ width: '100%' }}>
                <Input value={name} onChange={(e) => setName(e.target.value)} placeholder={t('身份名称（如 张三-2025）', 'Identity name (e.g. zhang-2025)')} status={nameTaken ? 'error' : undefined} data-testid="identity-name" />
                <Input value={org} onChange={(e) => setOrg(e.target.value)} placeholder={t('机构名称', 'Organisation')} data-testid="identity-org" />
              </Space.Compact>
              <Space wrap>
                <Segmented
                  value={algo}
                  onChange={(v) => setAlgo(v as 'rsa' | 'p256')}
                  data-testid="identity-algo"
                  options={[
                    { label: 'ECDSA P-256', value: 'p256' },
                    { label: 'RSA-3072', value: 'rsa' },
                  ]}
                />
                <Checkbox checked={sm2} onChange={(e) => setSm2(e.target.checked)} data-testid="identity-sm2">
                  {t('同时生成 SM2 密钥（国密签名）', 'Also an SM2 key (Chinese national signature)')}
                </Checkbox>
              </Space>
              {algo === 'rsa' && (
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {t('生成 RSA-3072 密钥可能需要几十秒。', 'Generating an RSA-3072 key can take tens of seconds.')}
                </Typography.Text>
              )}
              <Space.Compact style={{ width: '100%' }}>
                <Input.Password value={pw} onChange={(e) => setPw(e.target.value)} placeholder={t('密码', 'Password')} autoComplete="new-password" data-testid="identity-password" />
                <Input.Password value={pw2} onChange={(e) => setPw2(e.target.value)} placeholder={t('再次输入密码', 'Repeat the password')} autoComplete="new-password" status={pwMismatch ? 'error' : undefined} data-testid="identity-password2" />
              </Space.Compact>
              {pw !== '' && pw.length < 8 && !pwMismatch && !formError && (
                <Typography.Text type="warning" style={{ fontSize: 12 }}>
                  {t('建议密码至少 8 个字符。', 'A password of 8 characters or more is advisable.')}
                </Typography.Text>
              )}
              {(formError || pwMismatch) && (
                <Typography.Text type="danger" data-testid="identity-error">
                  {formError ?? t('两次输入的密码不一致。', 'The two passwords differ.')}
                </Typography.Text>
              )}
              <Button type="primary" icon={<PlusOutlined />} loading={busy === 'create'} disabled={busy !== null && busy !== 'create'} onClick={create} data-testid="identity-create">
                {t('创建', 'Create')}
              </Button>
            </Space>
          </Col>
          <Col span={10}>
            <Typography.Text strong>{t('导入 .p12 / .pfx', 'Import a .p12 / .pfx')}</Typography.Text>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '2px 0 6px' }}>
              {t('导入机构 CA 签发的证书与私钥。先输入其密码，再选择文件；应用会保存一份副本。', 'Import a certificate and key issued by your organisation’s CA. Enter its password, then choose the file; the app keeps a copy.')}
            </Typography.Paragraph>
            <Space.Compact style={{ width: '100%' }}>
              <Input.Password value={importPw} onChange={(e) => setImportPw(e.target.value)} placeholder={t('.p12 密码', '.p12 password')} autoComplete="off" data-testid="identity-import-password" />
              <Button icon={<ImportOutlined />} loading={busy === 'import'} disabled={busy !== null && busy !== 'import'} onClick={importP12} data-testid="identity-import">
                {t('选择文件导入…', 'Choose and import…')}
              </Button>
            </Space.Compact>
            <Typography.Paragraph type="secondary" style={{ fontSize: 12, margin: '4px 0 0' }}>
              {t('也可以把 .p12 文件拖到窗口上。', 'You can also drop the .p12 file on the window.')}
            </Typography.Paragraph>
            {dropped && !choose && (
              <div data-testid="identity-dropped" style={{ marginTop: 6, padding: 8, background: '#eef4fb', borderRadius: 4 }}>
                <div>
                  {t('已拖入：', 'Dropped: ')}
                  <span className="mono">{dropped}</span>
                </div>
                <Space style={{ marginTop: 4 }}>
                  <Button type="primary" size="small" icon={<ImportOutlined />} loading={busy === 'import-dropped'} disabled={busy !== null && busy !== 'import-dropped'} onClick={importDropped} data-testid="identity-import-dropped">
                    {t('用上面的密码导入', 'Import with the password above')}
                  </Button>
                  <Button size="small" onClick={() => setDropped(null)} disabled={busy !== null}>
                    {t('取消', 'Cancel')}
                  </Button>
                </Space>
              </div>
            )}
            {choose && (
              <div data-testid="identity-choose-key" style={{ marginTop: 6, padding: 8, border: '1px solid #d6e4ff', borderRadius: 4 }}>
                <Typography.Text strong>
                  {t(`${choose.file} 含 ${choose.keys.length} 个密钥，请选择用于签名的一个：`, `${choose.file} holds ${choose.keys.length} keys; choose the one to sign with:`)}
                </Typography.Text>
                <Radio.Group name="import-key" value={chosenKey} onChange={(e) => setChosenKey(e.target.value)} style={{ display: 'flex', flexDirection: 'column', gap: 4, marginTop: 4 }} data-testid="identity-keys">
                  {choose.keys.map((k) => (
                    <Radio key={k.index} value={k.selector} disabled={!!k.problem || !k.selector} data-testid={`identity-key-${k.index}`}>
                      <KeyLabel k={k} />
                    </Radio>
                  ))}
                </Radio.Group>
                <Space style={{ marginTop: 6 }}>
                  <Button type="primary" size="small" loading={busy === 'import-key'} disabled={!chosenKey || (busy !== null && busy !== 'import-key')} onClick={importChosen} data-testid="identity-import-key">
                    {t('用所选密钥导入', 'Import with this key')}
                  </Button>
                  <Button size="small" onClick={() => setChoose(null)} disabled={busy !== null}>
                    {t('取消', 'Cancel')}
                  </Button>
                </Space>
              </div>
            )}
          </Col>
        </Row>
      </Card>

      <Card size="small" title={t('报告模板', 'Report templates')}>
        {templates === null ? null : templates.length === 0 ? (
          <Empty image={Empty.PRESENTED_IMAGE_SIMPLE} description={t('没有模板', 'No templates')} />
        ) : (
          <div data-testid="template-list">
            {templates.map((x) => (
              <div key={x.name} style={{ padding: '4px 0' }}>
                <Typography.Text strong>{x.name}</Typography.Text> {x.builtin && <Tag>{t('内置', 'Built-in')}</Tag>}
                <Typography.Text type="secondary" style={{ fontSize: 12 }}>
                  {tx(x.description)}
                </Typography.Text>
              </div>
            ))}
          </div>
        )}
      </Card>
    </Space>
  );
}

