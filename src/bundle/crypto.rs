//! The encryption of a bundle: a password-derived key (Argon2id) and the
//! STREAM construction (Hoang, Reyhanitabar, Rogaway, Vizár 2015; the
//! `aead` crate's `StreamBE32`, the layout `age` uses) over AES-256-GCM or
//! SM4-GCM, in fixed-size chunks so memory stays constant in the bundle size.
//!
//! File layout (all integers big-endian):
//!
//! ```text
//! header (49 bytes)  "IOVBNDL" 0x01 | cipher u8 (1 AES-256-GCM, 2 SM4-GCM) | kdf u8 (1 Argon2id)
//!                    | m_cost u32 (KiB) | t_cost u32 | p_cost u32 | salt [16] | nonce prefix [7]
//!                    | chunk size u32 (plaintext bytes per chunk)
//! header MAC (32)    HMAC-SHA256(mac key, header)
//! chunk i            AEAD(enc key, nonce = prefix ‖ i as u32 ‖ last-flag u8, aad = header ‖ MAC,
//!                         plaintext chunk) = ciphertext ‖ 16-byte tag
//! ```
//!
//! Argon2id(password, salt) gives 64 bytes: the first 32 are the encryption
//! key (SM4 uses the first 16), the last 32 the header MAC key. Every chunk
//! but the last holds exactly `chunk size` plaintext bytes; the last one is
//! flagged, so truncation at a chunk boundary, reordering, a flipped byte
//! anywhere or a changed header all fail authentication. A wrong password
//! fails the header MAC before any chunk is read.

use aead::stream::{NewStream, StreamBE32, StreamPrimitive};
use aead::KeyInit;
use aes_gcm::aead::consts::U12;
use aes_gcm::{Aes256Gcm, AesGcm};
use hmac::{Hmac, Mac};
use sha2::Sha256;
use std::io::{self, Read, Write};

/// SM4-GCM: the GCM mode of `aes-gcm` over the SM4 block cipher (RFC 8998).
pub type Sm4Gcm = AesGcm<sm4::Sm4, U12>;

pub const MAGIC: &[u8; 8] = b"IOVBNDL\x01";
pub const HEADER_LEN: usize = 49;
pub const MAC_LEN: usize = 32;
pub const TAG_LEN: usize = 16;
/// Plaintext bytes per chunk.
pub const CHUNK: usize = 64 * 1024;

/// The authenticated cipher of a bundle.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Algorithm {
    /// AES-256-GCM (the default).
    Aes256Gcm,
    /// SM4-GCM (GB/T 32907 block cipher, RFC 8998), for commercial cryptography.
    Sm4Gcm,
}

impl Algorithm {
    fn code(self) -> u8 {
        match self {
            Algorithm::Aes256Gcm => 1,
            Algorithm::Sm4Gcm => 2,
        }
    }
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Aes256Gcm => "AES-256-GCM",
            Algorithm::Sm4Gcm => "SM4-GCM",
        }
    }
}

/// Argon2id cost parameters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct KdfParams {
    /// Memory in KiB.
    pub m_cost: u32,
    pub t_cost: u32,
    pub p_cost: u32,
}

impl Default for KdfParams {
    /// 64 MiB, 3 passes, 1 lane (RFC 9106's second recommended option).
    fn default() -> Self {
        KdfParams {
            m_cost: 64 * 1024,
            t_cost: 3,
            p_cost: 1,
        }
    }
}

/// Upper bounds accepted when reading a header (a hostile file must not make
/// the reader allocate gigabytes or spin for minutes). Memory in KiB: 256 MiB,
/// four times what this program writes (64 MiB).
const MAX_M_COST: u32 = 256 * 1024;
const MAX_T_COST: u32 = 16;
const MAX_P_COST: u32 = 16;

/// What can go wrong reading a bundle's encryption layer.
#[derive(Debug)]
pub enum CryptoError {
    NotABundle,
    Unsupported(String),
    /// The header MAC does not match: wrong password or altered header.
    BadPassword,
    /// Chunk `index` (starting at byte `offset`) does not authenticate.
    Damaged {
        index: u32,
        offset: u64,
    },
    /// The file ends before its last chunk.
    Truncated {
        offset: u64,
    },
    Io(io::Error),
}

/// The header of a bundle, as written.
#[derive(Debug, Clone)]
pub struct Header {
    pub algorithm: Algorithm,
    pub kdf: KdfParams,
    pub salt: [u8; 16],
    pub nonce_prefix: [u8; 7],
    pub chunk: u32,
}

impl Header {
    pub fn new(algorithm: Algorithm, kdf: KdfParams) -> Header {
        use rand_core::RngCore;
        let mut salt = [0u8; 16];
        let mut nonce_prefix = [0u8; 7];
        rand_core::OsRng.fill_bytes(&mut salt);
        rand_core::OsRng.fill_bytes(&mut nonce_prefix);
        Header {
            algorithm,
            kdf,
            salt,
            nonce_prefix,
            chunk: CHUNK as u32,
        }
    }

    pub fn to_bytes(&self) -> [u8; HEADER_LEN] {
        let mut b = [0u8; HEADER_LEN];
        b[..8].copy_from_slice(MAGIC);
        b[8] = self.algorithm.code();
        b[9] = 1;
        b[10..14].copy_from_slice(&self.kdf.m_cost.to_be_bytes());
        b[14..18].copy_from_slice(&self.kdf.t_cost.to_be_bytes());
        b[18..22].copy_from_slice(&self.kdf.p_cost.to_be_bytes());
        b[22..38].copy_from_slice(&self.salt);
        b[38..45].copy_from_slice(&self.nonce_prefix);
        b[45..49].copy_from_slice(&self.chunk.to_be_bytes());
        b
    }

    pub fn parse(b: &[u8; HEADER_LEN]) -> Result<Header, CryptoError> {
        if &b[..8] != MAGIC {
            if &b[..7] == b"IOVBNDL" {
                return Err(CryptoError::Unsupported(format!("format version {}", b[7])));
            }
            return Err(CryptoError::NotABundle);
        }
        let algorithm = match b[8] {
            1 => Algorithm::Aes256Gcm,
            2 => Algorithm::Sm4Gcm,
            n => return Err(CryptoError::Unsupported(format!("cipher {n}"))),
        };
        if b[9] != 1 {
            return Err(CryptoError::Unsupported(format!("key derivation {}", b[9])));
        }
        let u32_at = |i: usize| u32::from_be_bytes([b[i], b[i + 1], b[i + 2], b[i + 3]]);
        let kdf = KdfParams {
            m_cost: u32_at(10),
            t_cost: u32_at(14),
            p_cost: u32_at(18),
        };
        if kdf.m_cost > MAX_M_COST
            || kdf.t_cost > MAX_T_COST
            || kdf.p_cost > MAX_P_COST
            || kdf.t_cost == 0
            || kdf.p_cost == 0
        {
            return Err(CryptoError::Unsupported(format!(
                "Argon2id parameters m={} t={} p={} (limits m≤{MAX_M_COST} t≤{MAX_T_COST} p≤{MAX_P_COST})",
                kdf.m_cost, kdf.t_cost, kdf.p_cost
            )));
        }
        let chunk = u32_at(45);
        if chunk == 0 || chunk > 16 * 1024 * 1024 {
            return Err(CryptoError::Unsupported(format!("chunk size {chunk}")));
        }
        let mut salt = [0u8; 16];
        salt.copy_from_slice(&b[22..38]);
        let mut nonce_prefix = [0u8; 7];
        nonce_prefix.copy_from_slice(&b[38..45]);
        Ok(Header {
            algorithm,
            kdf,
            salt,
            nonce_prefix,
            chunk,
        })
    }
}

/// Argon2id(password, salt) → (encryption key, MAC key).
pub fn derive(password: &[u8], h: &Header) -> Result<([u8; 32], [u8; 32]), CryptoError> {
    let params = argon2::Params::new(h.kdf.m_cost, h.kdf.t_cost, h.kdf.p_cost, Some(64))
        .map_err(|e| CryptoError::Unsupported(format!("Argon2id parameters: {e}")))?;
    let a = argon2::Argon2::new(argon2::Algorithm::Argon2id, argon2::Version::V0x13, params);
    let mut out = [0u8; 64];
    a.hash_password_into(password, &h.salt, &mut out)
        .map_err(|e| CryptoError::Unsupported(format!("Argon2id: {e}")))?;
    let mut k = [0u8; 32];
    let mut m = [0u8; 32];
    k.copy_from_slice(&out[..32]);
    m.copy_from_slice(&out[32..]);
    Ok((k, m))
}

fn hmac(mac_key: &[u8; 32]) -> Hmac<Sha256> {
    // HMAC accepts a key of any length; this never fails.
    <Hmac<Sha256> as Mac>::new_from_slice(mac_key).unwrap_or_else(|_| unreachable!())
}

fn header_mac(mac_key: &[u8; 32], header: &[u8]) -> [u8; 32] {
    let mut m = hmac(mac_key);
    m.update(header);
    m.finalize().into_bytes().into()
}

fn header_mac_ok(mac_key: &[u8; 32], header: &[u8], mac: &[u8]) -> bool {
    let mut m = hmac(mac_key);
    m.update(header);
    m.verify_slice(mac).is_ok()
}

/// One STREAM over the chosen AEAD.
enum Stream {
    Aes(Box<StreamBE32<Aes256Gcm>>),
    Sm4(Box<StreamBE32<Sm4Gcm>>),
}

impl Stream {
    fn new(h: &Header, key: &[u8; 32]) -> Stream {
        let prefix = aead::generic_array::GenericArray::from_slice(&h.nonce_prefix);
        match h.algorithm {
            Algorithm::Aes256Gcm => Stream::Aes(Box::new(StreamBE32::from_aead(
                Aes256Gcm::new(aead::generic_array::GenericArray::from_slice(key)),
                prefix,
            ))),
            Algorithm::Sm4Gcm => Stream::Sm4(Box::new(StreamBE32::from_aead(
                Sm4Gcm::new(aead::generic_array::GenericArray::from_slice(&key[..16])),
                prefix,
            ))),
        }
    }
    fn seal(&self, i: u32, last: bool, aad: &[u8], buf: &mut Vec<u8>) -> aead::Result<()> {
        match self {
            Stream::Aes(s) => s.encrypt_in_place(i, last, aad, buf),
            Stream::Sm4(s) => s.encrypt_in_place(i, last, aad, buf),
        }
    }
    fn open(&self, i: u32, last: bool, aad: &[u8], buf: &mut Vec<u8>) -> aead::Result<()> {
        match self {
            Stream::Aes(s) => s.decrypt_in_place(i, last, aad, buf),
            Stream::Sm4(s) => s.decrypt_in_place(i, last, aad, buf),
        }
    }
}

/// Encrypts everything written to it; [`EncryptWriter::finish`] writes the
/// last chunk.
pub struct EncryptWriter<W: Write> {
    out: W,
    stream: Stream,
    aad: Vec<u8>,
    buf: Vec<u8>,
    chunk: usize,
    index: u32,
}

impl<W: Write> EncryptWriter<W> {
    pub fn new(mut out: W, password: &[u8], header: Header) -> io::Result<EncryptWriter<W>> {
        let (key, mac_key) =
            derive(password, &header).map_err(|e| io::Error::other(format!("{e:?}")))?;
        let hb = header.to_bytes();
        let mac = header_mac(&mac_key, &hb);
        out.write_all(&hb)?;
        out.write_all(&mac)?;
        let mut aad = hb.to_vec();
        aad.extend_from_slice(&mac);
        let chunk = header.chunk as usize;
        Ok(EncryptWriter {
            out,
            stream: Stream::new(&header, &key),
            aad,
            buf: Vec::with_capacity(chunk + TAG_LEN),
            chunk,
            index: 0,
        })
    }

    fn flush_chunk(&mut self, last: bool) -> io::Result<()> {
        self.stream
            .seal(self.index, last, &self.aad, &mut self.buf)
            .map_err(|_| io::Error::other("encryption failed"))?;
        self.out.write_all(&self.buf)?;
        self.buf.clear();
        self.index = self
            .index
            .checked_add(1)
            .ok_or_else(|| io::Error::other("bundle too large (2^32 chunks)"))?;
        Ok(())
    }

    /// Writes the last chunk and returns the inner writer.
    pub fn finish(mut self) -> io::Result<W> {
        self.flush_chunk(true)?;
        self.out.flush()?;
        Ok(self.out)
    }
}

impl<W: Write> Write for EncryptWriter<W> {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        if data.is_empty() {
            return Ok(0);
        }
        // A full buffer is written only once more data comes, so the last
        // chunk is never empty unless the whole plaintext is.
        if self.buf.len() == self.chunk {
            self.flush_chunk(false)?;
        }
        let n = (self.chunk - self.buf.len()).min(data.len());
        self.buf.extend_from_slice(&data[..n]);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// Reads and authenticates a bundle chunk by chunk. Plaintext is released
/// one authenticated chunk at a time: a consumer must treat what it read as
/// provisional until [`DecryptReader::finished`] (the flagged last chunk
/// authenticated and nothing after it).
pub struct DecryptReader<R: Read> {
    input: R,
    stream: Stream,
    aad: Vec<u8>,
    header: Header,
    ct: Vec<u8>,
    plain: Vec<u8>,
    pos: usize,
    index: u32,
    offset: u64,
    done: bool,
    /// One byte read ahead to learn whether a full chunk is the last.
    peeked: Option<u8>,
}

impl<R: Read> DecryptReader<R> {
    /// Reads the header, derives the key and checks the header MAC.
    pub fn new(mut input: R, password: &[u8]) -> Result<DecryptReader<R>, CryptoError> {
        let mut hb = [0u8; HEADER_LEN];
        read_full(&mut input, &mut hb)
            .map_err(CryptoError::Io)
            .and_then(|n| {
                if n == 0 {
                    Err(CryptoError::NotABundle)
                } else if n < HEADER_LEN {
                    if hb[..n.min(7)] == b"IOVBNDL"[..n.min(7)] {
                        Err(CryptoError::Truncated { offset: n as u64 })
                    } else {
                        Err(CryptoError::NotABundle)
                    }
                } else {
                    Ok(())
                }
            })?;
        let header = Header::parse(&hb)?;
        let mut mac = [0u8; MAC_LEN];
        let n = read_full(&mut input, &mut mac).map_err(CryptoError::Io)?;
        if n < MAC_LEN {
            return Err(CryptoError::Truncated {
                offset: (HEADER_LEN + n) as u64,
            });
        }
        let (key, mac_key) = derive(password, &header)?;
        // Constant-time comparison through the MAC API.
        if !header_mac_ok(&mac_key, &hb, &mac) {
            return Err(CryptoError::BadPassword);
        }
        let mut aad = hb.to_vec();
        aad.extend_from_slice(&mac);
        let chunk = header.chunk as usize;
        Ok(DecryptReader {
            input,
            stream: Stream::new(&header, &key),
            aad,
            ct: Vec::with_capacity(chunk + TAG_LEN),
            plain: Vec::new(),
            pos: 0,
            index: 0,
            offset: (HEADER_LEN + MAC_LEN) as u64,
            done: false,
            peeked: None,
            header,
        })
    }

    pub fn header(&self) -> &Header {
        &self.header
    }

    /// True once the last chunk authenticated and all its bytes were read.
    pub fn finished(&self) -> bool {
        self.done && self.pos >= self.plain.len()
    }

    fn next_chunk(&mut self) -> Result<(), CryptoError> {
        let want = self.header.chunk as usize + TAG_LEN;
        self.ct.clear();
        self.ct.resize(want, 0);
        let mut have = 0;
        if let Some(b) = self.peeked.take() {
            self.ct[0] = b;
            have = 1;
        }
        have += read_full(&mut self.input, &mut self.ct[have..]).map_err(CryptoError::Io)?;
        let last = if have < want {
            true
        } else {
            let mut one = [0u8; 1];
            let n = read_full(&mut self.input, &mut one).map_err(CryptoError::Io)?;
            if n == 1 {
                self.peeked = Some(one[0]);
                false
            } else {
                true
            }
        };
        if have < TAG_LEN {
            return Err(CryptoError::Truncated {
                offset: self.offset + have as u64,
            });
        }
        self.ct.truncate(have);
        let mut buf = std::mem::take(&mut self.ct);
        if self
            .stream
            .open(self.index, last, &self.aad, &mut buf)
            .is_err()
        {
            return Err(if last && self.index > 0 && have == want {
                CryptoError::Truncated {
                    offset: self.offset + have as u64,
                }
            } else {
                CryptoError::Damaged {
                    index: self.index,
                    offset: self.offset,
                }
            });
        }
        self.offset += have as u64;
        self.plain = buf;
        self.ct = Vec::with_capacity(want);
        self.pos = 0;
        self.index = self.index.wrapping_add(1);
        self.done = last;
        Ok(())
    }

    /// Like `Read::read`, with the precise error.
    pub fn read_plain(&mut self, out: &mut [u8]) -> Result<usize, CryptoError> {
        while self.pos >= self.plain.len() {
            if self.done {
                return Ok(0);
            }
            self.next_chunk()?;
        }
        let n = out.len().min(self.plain.len() - self.pos);
        out[..n].copy_from_slice(&self.plain[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// Reads until `buf` is full or the input ends; returns the bytes read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// SM4-GCM of one message (for tests against published vectors).
pub fn sm4_gcm_seal(key: &[u8; 16], nonce: &[u8; 12], aad: &[u8], plaintext: &[u8]) -> Vec<u8> {
    use aead::{Aead, Payload};
    let c = Sm4Gcm::new(aead::generic_array::GenericArray::from_slice(key));
    c.encrypt(
        aead::generic_array::GenericArray::from_slice(nonce),
        Payload {
            msg: plaintext,
            aad,
        },
    )
    .unwrap_or_default()
}
