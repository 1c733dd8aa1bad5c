//! The attach protocol between a container's monitor and its clients
//! (`docker attach`, `docker start -a`, `docker logs -f`): frames of
//! `[kind: u8][length: u32 BE][payload]` over the container's Unix socket.

use std::io::{self, Read, Write};

const STDOUT: u8 = 1;
const STDERR: u8 = 2;
const STDIN: u8 = 3;
const STDIN_EOF: u8 = 4;
const RESIZE: u8 = 5;
const EXIT: u8 = 6;
const HELLO: u8 = 7;
const LOG_OFFSET: u8 = 8;

/// Largest payload accepted; output is sent in chunks well below it.
const MAX_FRAME: u32 = 1 << 20;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Frame {
    /// Client → monitor, first: whether this client will send input.
    Hello {
        stdin: bool,
    },
    /// Monitor → client, first: how far the log file reaches now, so a
    /// follower prints the file up to here and then the live frames.
    LogOffset(u64),
    Stdout(Vec<u8>),
    Stderr(Vec<u8>),
    Stdin(Vec<u8>),
    StdinEof,
    Resize {
        rows: u16,
        cols: u16,
    },
    /// Monitor → client, last: PID 1's exit code.
    Exit(i32),
}

pub fn write_frame(w: &mut impl Write, frame: &Frame) -> io::Result<()> {
    let (kind, payload): (u8, Vec<u8>) = match frame {
        Frame::Hello { stdin } => (HELLO, vec![*stdin as u8]),
        Frame::LogOffset(n) => (LOG_OFFSET, n.to_be_bytes().to_vec()),
        Frame::Stdout(b) => (STDOUT, b.clone()),
        Frame::Stderr(b) => (STDERR, b.clone()),
        Frame::Stdin(b) => (STDIN, b.clone()),
        Frame::StdinEof => (STDIN_EOF, Vec::new()),
        Frame::Resize { rows, cols } => (RESIZE, [rows.to_be_bytes(), cols.to_be_bytes()].concat()),
        Frame::Exit(code) => (EXIT, code.to_be_bytes().to_vec()),
    };
    let mut buf = Vec::with_capacity(5 + payload.len());
    buf.push(kind);
    buf.extend_from_slice(&(payload.len() as u32).to_be_bytes());
    buf.extend_from_slice(&payload);
    w.write_all(&buf)
}

/// Reads one frame; `Ok(None)` at a clean end of stream.
pub fn read_frame(r: &mut impl Read) -> io::Result<Option<Frame>> {
    let mut header = [0u8; 5];
    match r.read_exact(&mut header) {
        Ok(()) => {}
        Err(e) if e.kind() == io::ErrorKind::UnexpectedEof => return Ok(None),
        Err(e) => return Err(e),
    }
    let len = u32::from_be_bytes([header[1], header[2], header[3], header[4]]);
    if len > MAX_FRAME {
        return Err(io::Error::new(io::ErrorKind::InvalidData, "attach frame too large"));
    }
    let mut payload = vec![0u8; len as usize];
    r.read_exact(&mut payload)?;
    let bad = || io::Error::new(io::ErrorKind::InvalidData, "malformed attach frame");
    Ok(Some(match header[0] {
        HELLO => Frame::Hello { stdin: payload.first().copied().unwrap_or(0) != 0 },
        LOG_OFFSET => Frame::LogOffset(u64::from_be_bytes(payload.try_into().map_err(|_| bad())?)),
        STDOUT => Frame::Stdout(payload),
        STDERR => Frame::Stderr(payload),
        STDIN => Frame::Stdin(payload),
        STDIN_EOF => Frame::StdinEof,
        RESIZE if payload.len() == 4 => {
            Frame::Resize { rows: u16::from_be_bytes([payload[0], payload[1]]), cols: u16::from_be_bytes([payload[2], payload[3]]) }
        }
        EXIT => Frame::Exit(i32::from_be_bytes(payload.try_into().map_err(|_| bad())?)),
        _ => return Err(bad()),
    }))
}

/// Splits a frame stream that arrived in pieces (the monitor reads clients
/// without blocking): returns the whole frames and keeps the rest.
#[derive(Default)]
pub struct FrameBuffer {
    pending: Vec<u8>,
}

impl FrameBuffer {
    pub fn push(&mut self, bytes: &[u8]) -> io::Result<Vec<Frame>> {
        self.pending.extend_from_slice(bytes);
        let mut frames = Vec::new();
        loop {
            if self.pending.len() < 5 {
                return Ok(frames);
            }
            let len = u32::from_be_bytes([self.pending[1], self.pending[2], self.pending[3], self.pending[4]]);
            if len > MAX_FRAME {
                return Err(io::Error::new(io::ErrorKind::InvalidData, "attach frame too large"));
            }
            let total = 5 + len as usize;
            if self.pending.len() < total {
                return Ok(frames);
            }
            let mut one = &self.pending[..total];
            if let Some(frame) = read_frame(&mut one)? {
                frames.push(frame);
            }
            self.pending.drain(..total);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_even_in_pieces() {
        let frames = vec![
            Frame::Hello { stdin: true },
            Frame::LogOffset(1234),
            Frame::Stdout(b"hello\n".to_vec()),
            Frame::Stderr(Vec::new()),
            Frame::Resize { rows: 24, cols: 80 },
            Frame::StdinEof,
            Frame::Exit(137),
        ];
        let mut bytes = Vec::new();
        for f in &frames {
            write_frame(&mut bytes, f).unwrap();
        }
        let mut buffer = FrameBuffer::default();
        let mut got = Vec::new();
        for piece in bytes.chunks(3) {
            got.extend(buffer.push(piece).unwrap());
        }
        assert_eq!(got, frames);
        let mut reader = bytes.as_slice();
        assert_eq!(read_frame(&mut reader).unwrap(), Some(frames[0].clone()));
    }

    #[test]
    fn oversized_frames_are_refused() {
        let mut buffer = FrameBuffer::default();
        assert!(buffer.push(&[1, 0xff, 0xff, 0xff, 0xff]).is_err());
    }
}
