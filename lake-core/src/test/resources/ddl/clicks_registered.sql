CREATE EXTERNAL TABLE `web`.`clicks` (
  `url` string,
  `ts` timestamp,
  `_ingest_id` string,
  `_source_object` string,
  `_ingested_at` timestamp
)
COMMENT 'Medallion Silver table of dataset clicks: typed Snappy Parquet partitioned by event time (hour, UTC), partitions registered in the catalog'
PARTITIONED BY (
  `year` int,
  `month` int,
  `day` int,
  `hour` int
)
ROW FORMAT SERDE 'org.apache.hadoop.hive.ql.io.parquet.serde.ParquetHiveSerDe'
WITH SERDEPROPERTIES (
  'serialization.format'='1'
)
STORED AS INPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetInputFormat'
OUTPUTFORMAT 'org.apache.hadoop.hive.ql.io.parquet.MapredParquetOutputFormat'
LOCATION 's3://lake-bucket/silver/clicks/'
TBLPROPERTIES (
  'classification'='parquet',
  'parquet.compression'='SNAPPY'
)