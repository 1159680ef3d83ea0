// The post editor's upload form (templates/media_upload.tpl): sends the
// file without leaving the page and puts the Markdown the server answers
// into the body where the cursor is. Without this script the form still
// works: the upload lands on /admin/media, which shows the Markdown.
'use strict';

function insertAtCursor(area, text) {
	const start = area.selectionStart;
	const before = area.value.slice(0, start);
	// An image or link of its own: a paragraph, not glued to a word.
	const lead = before === '' || before.endsWith('\n\n') ? ''
	    : before.endsWith('\n') ? '\n' : '\n\n';
	area.setRangeText(`${lead}${text}\n`, start, area.selectionEnd, 'end');
	area.focus();
	area.dispatchEvent(new Event('input', { bubbles: true }));
}

// As the server writes sizes (media_size_text).
function sizeText(bytes) {
	const mib = 1024 * 1024;
	if (bytes < mib)
		return `${Math.round(bytes / 1024)} KiB`;
	return bytes % mib === 0 ? `${bytes / mib} MiB`
	    : `${(bytes / mib).toFixed(1)} MiB`;
}

async function upload(form, area) {
	const input = form.querySelector('input[type=file]');
	const status = form.querySelector('.media-status');
	const button = form.querySelector('button[type=submit]');
	const file = input.files[0];
	const max = Number(input.dataset.max);

	if (!file) {
		status.textContent = 'Choose a file to upload.';
		return;
	}
	// The server says the same; this spares sending what it refuses.
	if (max > 0 && file.size > max) {
		status.textContent = `${file.name} is ${sizeText(file.size)}; ` +
		    `files may be at most ${sizeText(max)}.`;
		return;
	}
	status.textContent = `Uploading ${file.name}…`;
	button.disabled = true;
	try {
		const res = await fetch(form.action, {
			method: 'POST',
			body: new FormData(form),
			headers: { Accept: 'text/plain' },
			credentials: 'same-origin',
		});
		const text = (await res.text()).trim();
		if (!res.ok) {
			status.textContent = res.headers.get('Content-Type')
			    .startsWith('text/plain') ? text
			    : `The upload failed (${res.status}).`;
			return;
		}
		insertAtCursor(area, text);
		input.value = '';
		status.textContent = `Added ${file.name} to the body.`;
	} catch {
		status.textContent = 'The upload failed: the server could not ' +
		    'be reached.';
	} finally {
		button.disabled = false;
	}
}

for (const form of document.querySelectorAll('form[data-insert]')) {
	const area = document.getElementById(form.dataset.insert);
	if (area)
		form.addEventListener('submit', (e) => {
			e.preventDefault();
			upload(form, area);
		});
}
