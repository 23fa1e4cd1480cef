// The file picker's pure helpers: where a path's folder is, and how a size reads.
import { describe, expect, it } from 'vitest';
import { folderOf, sizeText } from '../../../../renderer/src/components/FileBrowser';

describe('file picker helpers', () => {
  it('finds the folder of a path as the service host writes it, with / or \\', () => {
    expect(folderOf('/srv/isos/debian.iso')).toBe('/srv/isos');
    expect(folderOf('C:\\Users\\me\\disk.qcow2')).toBe('C:\\Users\\me');
    expect(folderOf('C:\\Users/me\\disk.qcow2')).toBe('C:\\Users/me');
    // No folder to start in: the picker opens where it would for an empty field.
    expect(folderOf('debian.iso')).toBeNull();
    expect(folderOf('/debian.iso')).toBeNull();
    expect(folderOf('')).toBeNull();
  });

  it('says a size in bytes below 1 KiB, else in the largest binary unit with one decimal', () => {
    expect(sizeText(0)).toBe('0 B');
    expect(sizeText(1023)).toBe('1023 B');
    expect(sizeText(1024)).toBe('1.0 KiB');
    expect(sizeText(1536)).toBe('1.5 KiB');
    expect(sizeText(700 * 1024 * 1024)).toBe('700.0 MiB');
    expect(sizeText(5 * 1024 ** 3)).toBe('5.0 GiB');
    // TiB is the largest unit: beyond it the number grows.
    expect(sizeText(2048 * 1024 ** 4)).toBe('2048.0 TiB');
  });
});
