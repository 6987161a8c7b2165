//! Ordered parallel processing in bounded batches.
//!
//! Documents are read one at a time into a batch until it holds enough bytes
//! or items; the batch is processed in parallel with rayon and its results are
//! handed to the sink in input order before the next batch is read. Memory is
//! bounded by the batch size, not by the number of documents, and the output
//! is byte-identical whatever the number of threads.

use rayon::prelude::*;

/// Limits of one batch.
#[derive(Clone, Copy, Debug)]
pub struct BatchLimits {
    /// Process the batch once it holds this many items…
    pub max_items: usize,
    /// …or this many bytes of input.
    pub max_bytes: usize,
}

impl Default for BatchLimits {
    fn default() -> Self {
        BatchLimits {
            max_items: 1024,
            max_bytes: 8 << 20,
        }
    }
}

/// Runs `work` over `items` in parallel batches and feeds the results to `sink`
/// in input order. `size` tells how many bytes an item weighs. The first error
/// from the input or the sink stops the run and is returned; items read before
/// an input error are still processed and handed to the sink first.
pub fn run_ordered<T, R, E, I, W, S, Z>(
    items: I,
    limits: BatchLimits,
    size: Z,
    work: W,
    mut sink: S,
) -> Result<(), E>
where
    I: IntoIterator<Item = Result<T, E>>,
    T: Send + Sync,
    R: Send,
    W: Fn(&T) -> R + Sync + Send,
    S: FnMut(T, R) -> Result<(), E>,
    Z: Fn(&T) -> usize,
{
    let mut batch: Vec<T> = Vec::new();
    let mut bytes = 0usize;
    let flush = |batch: &mut Vec<T>, sink: &mut S| -> Result<(), E> {
        let results: Vec<R> = batch.par_iter().map(&work).collect();
        for (item, r) in batch.drain(..).zip(results) {
            sink(item, r)?;
        }
        Ok(())
    };
    for item in items {
        let item = match item {
            Ok(item) => item,
            Err(e) => {
                // What was read before the error is still processed and written.
                flush(&mut batch, &mut sink)?;
                return Err(e);
            }
        };
        bytes += size(&item);
        batch.push(item);
        if batch.len() >= limits.max_items || bytes >= limits.max_bytes {
            flush(&mut batch, &mut sink)?;
            bytes = 0;
        }
    }
    if !batch.is_empty() {
        flush(&mut batch, &mut sink)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_come_in_input_order() {
        let items = (0..1000u64).map(Ok::<u64, ()>);
        let mut seen = Vec::new();
        run_ordered(
            items,
            BatchLimits {
                max_items: 7,
                max_bytes: 1 << 20,
            },
            |_| 1,
            |x| x * 2,
            |x, r| {
                seen.push((x, r));
                Ok(())
            },
        )
        .unwrap();
        assert_eq!(seen, (0..1000u64).map(|x| (x, x * 2)).collect::<Vec<_>>());
    }

    #[test]
    fn errors_stop_the_run() {
        let items = vec![Ok(1), Ok(2), Err("bad"), Ok(4)];
        let mut seen = Vec::new();
        let r = run_ordered(
            items,
            BatchLimits {
                max_items: 1,
                max_bytes: 1,
            },
            |_| 1,
            |x| *x,
            |x, _| {
                seen.push(x);
                Ok(())
            },
        );
        assert_eq!(r, Err("bad"));
        assert_eq!(seen, [1, 2]);
        let items = vec![Ok(1), Ok(2), Err("bad"), Ok(4)];
        let mut seen = Vec::new();
        let r = run_ordered(
            items,
            BatchLimits::default(),
            |_| 1,
            |x| *x,
            |x, _| {
                seen.push(x);
                Ok(())
            },
        );
        assert_eq!(r, Err("bad"));
        assert_eq!(seen, [1, 2]);
    }
}
