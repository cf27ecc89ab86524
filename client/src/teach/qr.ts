import qrcode from 'qrcode-generator';

/** An SVG QR code of `text` (error correction M), for a link to scan from a phone. */
export function qrSvg(text: string): string {
  const qr = qrcode(0, 'M');
  qr.addData(text);
  qr.make();
  return qr.createSvgTag({ cellSize: 3, margin: 2, scalable: true });
}
